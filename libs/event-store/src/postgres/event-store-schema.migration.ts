import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PostgreSQL log. Positions come from a sequence, and a sequence alone lets a transaction
 * commit after one holding a later position: a reader that had moved past the later one would
 * skip the earlier for ever. So appends draw their positions under a transaction-scoped
 * advisory lock, held until commit: positions become visible in the order they were drawn,
 * and what a reader sees is always a prefix of the log (gaps left by rollbacks are final).
 * The lock is taken after the stream checks, so only the insert and the commit are serialised.
 */
export class EventStoreSchema1767657600000 implements MigrationInterface {
  name = 'EventStoreSchema1767657600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS event_store`);
    await queryRunner.query(`CREATE SEQUENCE event_store.global_position_seq AS bigint START 1`);
    await queryRunner.query(`
      CREATE TABLE event_store.streams (
        stream_id text PRIMARY KEY,
        revision bigint NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE event_store.events (
        global_position bigint PRIMARY KEY,
        stream_id text NOT NULL,
        stream_revision bigint NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        appended_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, stream_revision)
      )`);
    await queryRunner.query(APPEND_TO_STREAM_FUNCTION);
    await queryRunner.query(APPEND_IN_ORDER_FUNCTION);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA event_store CASCADE`);
  }
}

/** The first single append, superseded by append_group: dropped by EventStoreDropSupersededAppends, whose `down` creates it again. */
export const APPEND_TO_STREAM_FUNCTION = `
      CREATE FUNCTION event_store.append_to_stream(p_stream text, p_expected text, p_events jsonb)
      RETURNS TABLE (o_event_id uuid, o_revision bigint, o_position bigint, o_already_appended boolean)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_current bigint;
        v_count int := jsonb_array_length(p_events);
        v_ids uuid[];
        v_existing int;
        v_existing_here int;
        v_positions bigint[];
      BEGIN
        SELECT s.revision INTO v_current FROM event_store.streams s WHERE s.stream_id = p_stream FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO event_store.streams (stream_id, revision) VALUES (p_stream, -1) ON CONFLICT DO NOTHING;
          SELECT s.revision INTO v_current FROM event_store.streams s WHERE s.stream_id = p_stream FOR UPDATE;
        END IF;

        SELECT array_agg((t.e->>'eventId')::uuid ORDER BY t.ord) INTO v_ids
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord);
        SELECT count(*), count(*) FILTER (WHERE ev.stream_id = p_stream)
          INTO v_existing, v_existing_here
          FROM event_store.events ev WHERE ev.event_id = ANY (v_ids);
        IF v_existing > 0 THEN
          IF v_existing = v_count AND v_existing_here = v_count THEN
            RETURN QUERY
              SELECT ev.event_id, ev.stream_revision, ev.global_position, true
                FROM event_store.events ev WHERE ev.event_id = ANY (v_ids) ORDER BY ev.stream_revision;
            RETURN;
          END IF;
          RAISE EXCEPTION USING ERRCODE = 'SL002', MESSAGE = 'event_id_conflict', DETAIL = v_current::text;
        END IF;

        IF (p_expected = 'no_stream' AND v_current <> -1)
           OR (p_expected = 'stream_exists' AND v_current = -1)
           OR (p_expected NOT IN ('any', 'no_stream', 'stream_exists') AND v_current <> p_expected::bigint) THEN
          RAISE EXCEPTION USING ERRCODE = 'SL001', MESSAGE = 'wrong_expected_revision', DETAIL = v_current::text;
        END IF;

        IF v_count = 0 THEN
          RETURN;
        END IF;

        -- Held until commit: see the ordering argument above.
        PERFORM pg_advisory_xact_lock(7294416283761001);
        FOR i IN 1..v_count LOOP
          v_positions[i] := nextval('event_store.global_position_seq');
        END LOOP;

        INSERT INTO event_store.events
          (global_position, stream_id, stream_revision, event_id, event_type, data, metadata)
        SELECT v_positions[t.ord], p_stream, v_current + t.ord, (t.e->>'eventId')::uuid,
               t.e->>'type', t.e->'data', t.e->'metadata'
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord);

        UPDATE event_store.streams SET revision = v_current + v_count WHERE stream_id = p_stream;

        RETURN QUERY
          SELECT (t.e->>'eventId')::uuid, v_current + t.ord, v_positions[t.ord], false
            FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord) ORDER BY t.ord;
      END
      $fn$`;

/** The first import, superseded by import_page: dropped by EventStoreDropSupersededAppends, whose `down` creates it again. */
export const APPEND_IN_ORDER_FUNCTION = `
      CREATE FUNCTION event_store.append_in_order(p_events jsonb)
      RETURNS void
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count int := jsonb_array_length(p_events);
        v_first bigint;
        v_current bigint;
        r record;
      BEGIN
        IF v_count = 0 THEN
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(7294416283761001);
        FOR r IN
          SELECT t.e->>'stream' AS stream, min((t.e->>'revision')::bigint) AS first_revision,
                 max((t.e->>'revision')::bigint) AS last_revision, count(*) AS n
            FROM jsonb_array_elements(p_events) AS t(e) GROUP BY 1
        LOOP
          SELECT s.revision INTO v_current FROM event_store.streams s WHERE s.stream_id = r.stream FOR UPDATE;
          IF NOT FOUND THEN
            v_current := -1;
          END IF;
          IF r.first_revision <> v_current + 1 OR r.last_revision - r.first_revision + 1 <> r.n THEN
            RAISE EXCEPTION USING ERRCODE = 'SL001', MESSAGE = 'wrong_expected_revision', DETAIL = v_current::text, HINT = r.stream;
          END IF;
          INSERT INTO event_store.streams (stream_id, revision) VALUES (r.stream, r.last_revision)
            ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision;
        END LOOP;
        -- A block of positions, reserved under the same lock as every append draws them.
        v_first := nextval('event_store.global_position_seq');
        PERFORM setval('event_store.global_position_seq', v_first + v_count - 1);
        INSERT INTO event_store.events (global_position, stream_id, stream_revision, event_id, event_type, data, metadata)
        SELECT v_first + t.ord - 1, t.e->>'stream', (t.e->>'revision')::bigint, (t.e->>'eventId')::uuid,
               t.e->>'type', t.e->'data', t.e->'metadata'
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord);
      END
      $fn$`;
