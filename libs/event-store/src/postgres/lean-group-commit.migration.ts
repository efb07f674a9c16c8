import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group commit with fewer statements and a smaller answer than append_batch (kept for processes
 * of the previous version during the upgrade, until EventStoreDropSupersededAppends). Same input
 * (a JSON array of {stream, expected, events}, one append per stream) and the same checks, in the
 * same order of locks (new streams' rows, then the group's streams in name order, then the
 * position lock), so the ordering argument of the schema migration holds. How it spends less per group:
 * - a new stream's row is inserted only for appends that may create one ('no_stream', 'any');
 * - event ids are looked up once, and appends classified by them only when one is found (a
 *   retried or clashing append, which is rare);
 * - the streams are locked, checked and moved on in one statement;
 * - the answer is one row of arrays, the status and revision before the append of each append,
 *   and the first position drawn: the caller knows how many events each append holds, and so
 *   each event's revision and position. An append already in the log ('already') is answered
 *   by reading its events.
 */
export class EventStoreLeanGroupCommit1767657600007 implements MigrationInterface {
  name = 'EventStoreLeanGroupCommit1767657600007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION event_store.append_group(p_appends jsonb, OUT o_status text[], OUT o_current bigint[], OUT o_first bigint)
      LANGUAGE plpgsql
      -- Planned once per connection: re-planning these statements on every call cost more than running them.
      SET plan_cache_mode = force_generic_plan
      AS $fn$
      DECLARE
        v_stream text[];
        v_expected text[];
        v_count int[];
        v_sorted text[];
        v_ids uuid[];
        v_existing int[];
        v_existing_here int[];
        v_total bigint;
        v_found int;
      BEGIN
        SELECT array_agg(t.a->>'stream' ORDER BY t.ord), array_agg(t.a->>'expected' ORDER BY t.ord),
               array_agg(jsonb_array_length(t.a->'events') ORDER BY t.ord), array_agg(DISTINCT t.a->>'stream' ORDER BY t.a->>'stream'),
               (SELECT array_agg((e->>'eventId')::uuid) FROM jsonb_array_elements(p_appends) AS t2(a), jsonb_array_elements(t2.a->'events') AS e)
          INTO v_stream, v_expected, v_count, v_sorted, v_ids
          FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord);
        IF cardinality(v_sorted) <> cardinality(v_stream) THEN
          RAISE EXCEPTION USING ERRCODE = 'SL003', MESSAGE = 'a group holds two appends to one stream';
        END IF;
        IF 'no_stream' = ANY (v_expected) OR 'any' = ANY (v_expected) THEN
          INSERT INTO event_store.streams (stream_id, revision)
          SELECT u.stream, -1 FROM unnest(v_stream, v_expected) AS u(stream, expected) WHERE u.expected IN ('no_stream', 'any') ORDER BY u.stream
          ON CONFLICT DO NOTHING;
        END IF;
        -- Counted, not EXISTS: planned once on a young log, EXISTS would scan the table (LIMIT 1 makes a scan look cheap) for ever.
        SELECT count(*) INTO v_found FROM event_store.events ev WHERE ev.event_id = ANY (v_ids);
        IF v_found > 0 THEN
          SELECT array_agg(x.existing ORDER BY t.ord), array_agg(x.existing_here ORDER BY t.ord) INTO v_existing, v_existing_here
            FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord)
            CROSS JOIN LATERAL (
              SELECT count(ev.event_id)::int AS existing, (count(ev.event_id) FILTER (WHERE ev.stream_id = t.a->>'stream'))::int AS existing_here
                FROM jsonb_array_elements(t.a->'events') AS e
                JOIN (SELECT ev.event_id, ev.stream_id FROM event_store.events ev WHERE ev.event_id = ANY (v_ids)) ev ON ev.event_id = (e->>'eventId')::uuid) x;
        END IF;
        WITH locked AS (SELECT s.stream_id, s.revision FROM event_store.streams s WHERE s.stream_id = ANY (v_sorted) ORDER BY s.stream_id FOR UPDATE),
             checked AS (
               SELECT u.ord, u.stream, u.n, l.revision,
                      CASE
                        WHEN coalesce(v_existing[u.ord], 0) > 0 THEN
                          CASE WHEN v_existing[u.ord] = u.n AND v_existing_here[u.ord] = u.n THEN 'already' ELSE 'id_conflict' END
                        WHEN l.revision IS NULL OR CASE u.expected
                               WHEN 'any' THEN false
                               WHEN 'no_stream' THEN l.revision <> -1
                               WHEN 'stream_exists' THEN l.revision = -1
                               ELSE l.revision <> u.expected::bigint
                             END THEN 'wrong_revision'
                        WHEN u.n = 0 THEN 'empty'
                        ELSE 'appended'
                      END AS status
                 FROM unnest(v_stream, v_expected, v_count) WITH ORDINALITY AS u(stream, expected, n, ord)
                 LEFT JOIN locked l ON l.stream_id = u.stream),
             moved AS (
               UPDATE event_store.streams s SET revision = c.revision + c.n
                 FROM checked c WHERE c.status = 'appended' AND s.stream_id = c.stream)
        SELECT array_agg(c.status ORDER BY c.ord), array_agg(coalesce(c.revision, -1) ORDER BY c.ord), sum(c.n) FILTER (WHERE c.status = 'appended')
          INTO o_status, o_current, v_total
          FROM checked c;
        IF v_total > 0 THEN
          PERFORM pg_advisory_xact_lock(7294416283761001);
          o_first := nextval('event_store.global_position_seq');
          IF v_total > 1 THEN
            PERFORM setval('event_store.global_position_seq', o_first + v_total - 1);
          END IF;
          INSERT INTO event_store.events (global_position, stream_id, stream_revision, event_id, event_type, data, metadata)
          SELECT o_first - 1 + row_number() OVER (ORDER BY t.ord, x.n), t.a->>'stream', o_current[t.ord] + x.n,
                 (x.e->>'eventId')::uuid, x.e->>'type', x.e->'data', x.e->'metadata'
            FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord),
                 jsonb_array_elements(t.a->'events') WITH ORDINALITY AS x(e, n)
           WHERE o_status[t.ord] = 'appended';
        END IF;
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION event_store.append_group(jsonb)`);
  }
}
