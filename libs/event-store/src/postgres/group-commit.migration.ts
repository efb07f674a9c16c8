import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Group commit: the appends waiting in a process go to PostgreSQL together, in one transaction
 * and so one WAL flush, and each gets its own answer. Appends are serialised from drawing their
 * positions to commit (see the schema migration), so one commit per append would cap the log at
 * one flush per append whatever the concurrency.
 *
 * `p_appends` is a JSON array of {stream, expected, events}. Each append is checked as
 * append_to_stream checks it, but a refused one (status `wrong_revision`, `id_conflict`) does not
 * abort the others. All the batch's streams are locked first, in name order, and the position
 * lock after them, so batches and single appends never wait on each other in a cycle.
 * append_to_stream stays for processes of the previous version during an upgrade.
 */
export class EventStoreGroupCommit1767657600004 implements MigrationInterface {
  name = 'EventStoreGroupCommit1767657600004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION event_store.append_batch(p_appends jsonb)
      RETURNS TABLE (o_append int, o_status text, o_current bigint, o_event_id uuid, o_revision bigint, o_position bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        a record;
        v_stream text;
        v_expected text;
        v_current bigint;
        v_count int;
        v_ids uuid[];
        v_existing int;
        v_existing_here int;
        v_first bigint;
        v_positions_locked boolean := false;
      BEGIN
        INSERT INTO event_store.streams (stream_id, revision)
          SELECT DISTINCT t.a->>'stream', -1 FROM jsonb_array_elements(p_appends) AS t(a) ORDER BY 1
          ON CONFLICT DO NOTHING;
        PERFORM 1 FROM event_store.streams s
          WHERE s.stream_id IN (SELECT t.a->>'stream' FROM jsonb_array_elements(p_appends) AS t(a))
          ORDER BY s.stream_id FOR UPDATE;

        FOR a IN SELECT t.a AS append, t.ord::int AS ord FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS t(a, ord) ORDER BY t.ord LOOP
          v_stream := a.append->>'stream';
          v_expected := a.append->>'expected';
          v_count := jsonb_array_length(a.append->'events');
          SELECT s.revision INTO v_current FROM event_store.streams s WHERE s.stream_id = v_stream;

          IF v_count > 0 THEN
            SELECT array_agg((x.e->>'eventId')::uuid ORDER BY x.ord) INTO v_ids
              FROM jsonb_array_elements(a.append->'events') WITH ORDINALITY AS x(e, ord);
            SELECT count(*), count(*) FILTER (WHERE ev.stream_id = v_stream)
              INTO v_existing, v_existing_here
              FROM event_store.events ev WHERE ev.event_id = ANY (v_ids);
            IF v_existing > 0 THEN
              IF v_existing = v_count AND v_existing_here = v_count THEN
                RETURN QUERY
                  SELECT a.ord, 'already'::text, v_current, ev.event_id, ev.stream_revision, ev.global_position
                    FROM event_store.events ev WHERE ev.event_id = ANY (v_ids) ORDER BY ev.stream_revision;
              ELSE
                RETURN QUERY SELECT a.ord, 'id_conflict'::text, v_current, NULL::uuid, NULL::bigint, NULL::bigint;
              END IF;
              CONTINUE;
            END IF;
          END IF;

          IF (v_expected = 'no_stream' AND v_current <> -1)
             OR (v_expected = 'stream_exists' AND v_current = -1)
             OR (v_expected NOT IN ('any', 'no_stream', 'stream_exists') AND v_current <> v_expected::bigint) THEN
            RETURN QUERY SELECT a.ord, 'wrong_revision'::text, v_current, NULL::uuid, NULL::bigint, NULL::bigint;
            CONTINUE;
          END IF;

          IF v_count = 0 THEN
            RETURN QUERY SELECT a.ord, 'empty'::text, v_current, NULL::uuid, NULL::bigint, NULL::bigint;
            CONTINUE;
          END IF;

          IF NOT v_positions_locked THEN
            -- Held until commit: see the ordering argument of the schema migration.
            PERFORM pg_advisory_xact_lock(7294416283761001);
            v_positions_locked := true;
          END IF;
          -- A block of positions, reserved under the lock every append draws them under.
          v_first := nextval('event_store.global_position_seq');
          IF v_count > 1 THEN
            PERFORM setval('event_store.global_position_seq', v_first + v_count - 1);
          END IF;

          INSERT INTO event_store.events
            (global_position, stream_id, stream_revision, event_id, event_type, data, metadata)
          SELECT v_first + x.ord - 1, v_stream, v_current + x.ord, (x.e->>'eventId')::uuid,
                 x.e->>'type', x.e->'data', x.e->'metadata'
            FROM jsonb_array_elements(a.append->'events') WITH ORDINALITY AS x(e, ord);
          UPDATE event_store.streams SET revision = v_current + v_count WHERE stream_id = v_stream;

          RETURN QUERY
            SELECT a.ord, 'appended'::text, v_current + v_count, (x.e->>'eventId')::uuid, v_current + x.ord, v_first + x.ord - 1
              FROM jsonb_array_elements(a.append->'events') WITH ORDINALITY AS x(e, ord) ORDER BY x.ord;
        END LOOP;
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION event_store.append_batch(jsonb)`);
  }
}
