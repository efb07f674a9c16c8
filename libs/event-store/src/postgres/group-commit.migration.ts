import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group commit: the appends waiting in a process go to PostgreSQL together, in one transaction
 * and so one WAL flush, and each gets its own answer. Appends are serialised from drawing their
 * positions to commit (see the schema migration), so one commit per append would cap the log at
 * one flush per append whatever the concurrency.
 *
 * `p_appends` is a JSON array of {stream, expected, events}, each to a different stream (the
 * caller keeps a stream's appends in separate groups, in order). Each append is checked as
 * append_to_stream checks it, but a refused one (status `wrong_revision`, `id_conflict`) does not
 * abort the others. The checks, the inserts and the answers are set-based: a few statements
 * whatever the group's size. The group's streams are locked first, in name order, then the
 * position lock: batches and single appends never wait on each other in a cycle.
 * append_to_stream is kept for processes of the previous version during the upgrade, until
 * EventStoreDropSupersededAppends.
 */
export class EventStoreGroupCommit1767657600004 implements MigrationInterface {
  name = 'EventStoreGroupCommit1767657600004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(APPEND_BATCH_FUNCTION);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION event_store.append_batch(jsonb)`);
  }
}

/** Superseded by append_group: dropped by EventStoreDropSupersededAppends, whose `down` creates it again. */
export const APPEND_BATCH_FUNCTION = `
      CREATE FUNCTION event_store.append_batch(p_appends jsonb)
      RETURNS TABLE (o_append int, o_status text, o_current bigint, o_event_id uuid, o_revision bigint, o_position bigint)
      LANGUAGE plpgsql
      -- Planned once per connection: re-planning these statements on every call cost more than running them.
      SET plan_cache_mode = force_generic_plan
      AS $fn$
      DECLARE
        v_streams text[];
        v_appends int;
        v_ids uuid[];
        v_status text[];
        v_current bigint[];
        v_total bigint;
        v_first bigint;
      BEGIN
        -- Event ids and streams are looked up through their indexes with arrays: the planner
        -- cannot size a JSON array and would otherwise scan the tables.
        SELECT (SELECT array_agg(DISTINCT t.a->>'stream' ORDER BY t.a->>'stream') FROM jsonb_array_elements(p_appends) AS t(a)),
               jsonb_array_length(p_appends),
               (SELECT array_agg((e->>'eventId')::uuid) FROM jsonb_array_elements(p_appends) AS t(a), jsonb_array_elements(t.a->'events') AS e)
          INTO v_streams, v_appends, v_ids;
        IF cardinality(v_streams) <> v_appends THEN
          RAISE EXCEPTION USING ERRCODE = 'SL003', MESSAGE = 'a group holds two appends to one stream';
        END IF;
        INSERT INTO event_store.streams (stream_id, revision) SELECT s, -1 FROM unnest(v_streams) AS s ON CONFLICT DO NOTHING;

        SELECT array_agg(c.status ORDER BY c.ord), array_agg(c.current ORDER BY c.ord),
               coalesce(sum(c.n) FILTER (WHERE c.status = 'appended'), 0)
          INTO v_status, v_current, v_total
          FROM (
            SELECT t.ord, s.revision AS current, jsonb_array_length(t.a->'events') AS n,
                   CASE
                     WHEN x.existing > 0 AND x.existing = jsonb_array_length(t.a->'events') AND x.existing_here = x.existing THEN 'already'
                     WHEN x.existing > 0 THEN 'id_conflict'
                     WHEN CASE t.a->>'expected'
                            WHEN 'any' THEN false
                            WHEN 'no_stream' THEN s.revision <> -1
                            WHEN 'stream_exists' THEN s.revision = -1
                            ELSE s.revision <> (t.a->>'expected')::bigint
                          END THEN 'wrong_revision'
                     WHEN jsonb_array_length(t.a->'events') = 0 THEN 'empty'
                     ELSE 'appended'
                   END AS status
              FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord)
              -- The group's streams, locked in name order: see the ordering argument above.
              JOIN (SELECT s.stream_id, s.revision FROM event_store.streams s WHERE s.stream_id = ANY (v_streams) ORDER BY s.stream_id FOR UPDATE) s
                ON s.stream_id = t.a->>'stream'
              CROSS JOIN LATERAL (
                SELECT count(ev.event_id) AS existing, count(ev.event_id) FILTER (WHERE ev.stream_id = t.a->>'stream') AS existing_here
                  FROM jsonb_array_elements(t.a->'events') AS e
                  JOIN (SELECT ev.event_id, ev.stream_id FROM event_store.events ev WHERE ev.event_id = ANY (v_ids)) ev
                    ON ev.event_id = (e->>'eventId')::uuid
              ) x
          ) c;

        IF v_total > 0 THEN
          -- Held until commit: see the ordering argument of the schema migration.
          PERFORM pg_advisory_xact_lock(7294416283761001);
          -- A block of positions, reserved under the lock every append draws them under.
          v_first := nextval('event_store.global_position_seq');
          IF v_total > 1 THEN
            PERFORM setval('event_store.global_position_seq', v_first + v_total - 1);
          END IF;
          WITH inserted AS (
            INSERT INTO event_store.events (global_position, stream_id, stream_revision, event_id, event_type, data, metadata)
            SELECT v_first - 1 + row_number() OVER (ORDER BY t.ord, x.n), t.a->>'stream', v_current[t.ord] + x.n,
                   (x.e->>'eventId')::uuid, x.e->>'type', x.e->'data', x.e->'metadata'
              FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord),
                   jsonb_array_elements(t.a->'events') WITH ORDINALITY AS x(e, n)
             WHERE v_status[t.ord] = 'appended'
          )
          UPDATE event_store.streams s SET revision = v_current[t.ord] + jsonb_array_length(t.a->'events')
            FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord)
           WHERE v_status[t.ord] = 'appended' AND s.stream_id = ANY (v_streams) AND s.stream_id = t.a->>'stream';
        END IF;

        RETURN QUERY
          SELECT p.ord, 'appended'::text, p.current + p.n, p.event_id, p.current + p.k, v_first - 1 + p.rank
            FROM (
              SELECT t.ord::int AS ord, v_current[t.ord] AS current, jsonb_array_length(t.a->'events')::bigint AS n,
                     (x.e->>'eventId')::uuid AS event_id, x.n AS k, row_number() OVER (ORDER BY t.ord, x.n) AS rank
                FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord),
                     jsonb_array_elements(t.a->'events') WITH ORDINALITY AS x(e, n)
               WHERE v_status[t.ord] = 'appended'
            ) p
          UNION ALL
          SELECT t.ord::int, 'already'::text, v_current[t.ord], ev.event_id, ev.stream_revision, ev.global_position
            FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord)
            JOIN (SELECT ev.* FROM event_store.events ev WHERE ev.event_id = ANY (v_ids)) ev
              ON ev.event_id IN (SELECT (e->>'eventId')::uuid FROM jsonb_array_elements(t.a->'events') AS e)
           WHERE v_status[t.ord] = 'already'
          UNION ALL
          SELECT t.ord::int, v_status[t.ord], v_current[t.ord], NULL::uuid, NULL::bigint, NULL::bigint
            FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord)
           WHERE v_status[t.ord] IN ('wrong_revision', 'id_conflict', 'empty')
          ORDER BY 1, 5;
      END
      $fn$`;
