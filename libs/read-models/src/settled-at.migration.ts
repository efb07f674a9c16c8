import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The latest transaction time the read models hold, read per request by the API's answer cache
 * (StanceQueries.freshness): two index lookups instead of two scans. Both tables only grow.
 */
export class ReadModelsSettledAt1767657600005 implements MigrationInterface {
  name = 'ReadModelsSettledAt1767657600005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS stance_records_recorded_at ON stance_records (recorded_at)`);
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS stance_revisions_recorded_at ON stance_revisions (recorded_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX stance_revisions_recorded_at`);
    await queryRunner.query(`DROP INDEX stance_records_recorded_at`);
  }
}
