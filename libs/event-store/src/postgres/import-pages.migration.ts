import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Imports a page of placed events (a JSON array of {stream, revision, eventId, type, data,
 * metadata}) in a few set-based statements: every event must be the next of its stream, in
 * the page's order, or nothing of the page is written. Positions are drawn as a block under
 * the lock every append draws them under (see the schema migration). Replaces the per-stream
 * loop of append_in_order (kept for processes of the previous version during the upgrade, until
 * EventStoreDropSupersededAppends).
 */
export class EventStoreImportPages1767657600006 implements MigrationInterface {
  name = 'EventStoreImportPages1767657600006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION event_store.import_page(p_events jsonb)
      RETURNS void
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count int := jsonb_array_length(p_events);
        v_first bigint;
        v_misplaced record;
      BEGIN
        IF v_count = 0 THEN
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(7294416283761001);
        SELECT p.stream, coalesce(s.revision, -1) AS current INTO v_misplaced
          FROM (
            SELECT t.e->>'stream' AS stream, (t.e->>'revision')::bigint AS revision,
                   row_number() OVER (PARTITION BY t.e->>'stream' ORDER BY t.ord) AS rank
              FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord)
          ) p
          LEFT JOIN event_store.streams s ON s.stream_id = p.stream
         WHERE p.revision <> coalesce(s.revision, -1) + p.rank
         LIMIT 1;
        IF FOUND THEN
          RAISE EXCEPTION USING ERRCODE = 'SL001', MESSAGE = 'wrong_expected_revision',
            DETAIL = v_misplaced.current::text, HINT = v_misplaced.stream;
        END IF;
        v_first := nextval('event_store.global_position_seq');
        IF v_count > 1 THEN
          PERFORM setval('event_store.global_position_seq', v_first + v_count - 1);
        END IF;
        INSERT INTO event_store.events (global_position, stream_id, stream_revision, event_id, event_type, data, metadata)
        SELECT v_first + t.ord - 1, t.e->>'stream', (t.e->>'revision')::bigint, (t.e->>'eventId')::uuid,
               t.e->>'type', t.e->'data', t.e->'metadata'
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS t(e, ord);
        INSERT INTO event_store.streams (stream_id, revision)
        SELECT t.e->>'stream', max((t.e->>'revision')::bigint) FROM jsonb_array_elements(p_events) AS t(e) GROUP BY 1
            ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision;
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION event_store.import_page(jsonb)`);
  }
}
