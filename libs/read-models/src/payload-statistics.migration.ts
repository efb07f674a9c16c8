import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Columns that carry what was said (payloads, prose), never filtered, joined or grouped on. */
const PAYLOAD_COLUMNS = [
  { table: 'stance_records', columns: ['recorded'] },
  { table: 'stance_revisions', columns: ['changes', 'reason'] },
  { table: 'stance_versions', columns: ['headline', 'summary', 'conditions', 'commitment', 'source'] },
] as const;

/**
 * No planner statistics for payload columns: no query has a condition on them, and sampling
 * them was most of an ANALYZE's work. A rebuild takes its statistics before it is swapped in;
 * autovacuum's ANALYZE gets cheaper too.
 */
export class ReadModelsPayloadStatistics1767657600009 implements MigrationInterface {
  name = 'ReadModelsPayloadStatistics1767657600009';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, columns } of PAYLOAD_COLUMNS) {
      await queryRunner.query(`ALTER TABLE ${table} ${columns.map((column) => `ALTER COLUMN ${column} SET STATISTICS 0`).join(', ')}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, columns } of PAYLOAD_COLUMNS) {
      await queryRunner.query(`ALTER TABLE ${table} ${columns.map((column) => `ALTER COLUMN ${column} SET STATISTICS -1`).join(', ')}`);
    }
  }
}
