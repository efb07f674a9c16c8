import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APPEND_IN_ORDER_FUNCTION, APPEND_TO_STREAM_FUNCTION } from './event-store-schema.migration';
import { APPEND_BATCH_FUNCTION } from './group-commit.migration';

/**
 * Drops the append functions nothing calls: append_to_stream and append_batch (superseded by
 * append_group) and append_in_order (superseded by import_page). They were kept for processes of
 * the version before each replacement during an upgrade; this version and the one before it
 * call only append_group and import_page, so an upgrade beside a running process of the one
 * before loses it nothing. `down` creates them again as they were.
 */
export class EventStoreDropSupersededAppends1767657600012 implements MigrationInterface {
  name = 'EventStoreDropSupersededAppends1767657600012';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION event_store.append_to_stream(text, text, jsonb)`);
    await queryRunner.query(`DROP FUNCTION event_store.append_in_order(jsonb)`);
    await queryRunner.query(`DROP FUNCTION event_store.append_batch(jsonb)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(APPEND_TO_STREAM_FUNCTION);
    await queryRunner.query(APPEND_IN_ORDER_FUNCTION);
    await queryRunner.query(APPEND_BATCH_FUNCTION);
  }
}
