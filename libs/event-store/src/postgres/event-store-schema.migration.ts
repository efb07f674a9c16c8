import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The PostgreSQL log. Positions come from a sequence, so a transaction may commit after one
 * holding a later position. Readers must never step over such an in-flight position (they
 * would skip it for ever), so every event stores `settle_horizon`: the xmax of a snapshot
 * taken just after its positions were drawn. Every transaction that had drawn an earlier
 * position already had its xid then (append_to_stream assigns the xid first), so once the
 * oldest running xid (snapshot xmin) reaches that horizon, all earlier positions are either
 * committed or will never exist, and a reader may pass a gap in front of the event.
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
        settle_horizon xid8 NOT NULL,
        CONSTRAINT events_event_id_key UNIQUE (event_id),
        CONSTRAINT events_stream_revision_key UNIQUE (stream_id, stream_revision)
      )`);
    await queryRunner.query(`
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
        v_horizon xid8;
      BEGIN
        -- The xid must exist before any position is drawn: see the horizon argument above.
        PERFORM pg_current_xact_id();

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

        FOR i IN 1..v_count LOOP
          v_positions[i] := nextval('event_store.global_position_seq');
        END LOOP;
        v_horizon := pg_snapshot_xmax(pg_current_snapshot());

        INSERT INTO event_store.events
          (global_position, stream_id, stream_revision, event_id, event_type, data, metadata, settle_horizon)
        SELECT v_positions[t.ord], p_stream, v_current + t.ord, (t.e->>'eventId')::uuid,
               t.e->>'type', t.e->'data', t.e->'metadata', v_horizon
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord);

        UPDATE event_store.streams SET revision = v_current + v_count WHERE stream_id = p_stream;

        RETURN QUERY
          SELECT (t.e->>'eventId')::uuid, v_current + t.ord, v_positions[t.ord], false
            FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord) ORDER BY t.ord;
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA event_store CASCADE`);
  }
}
