import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The read-model columns holding identifiers (ISO country codes, topic ids), with the tables that have them. */
const IDENTIFIER_COLUMNS = [
  { table: 'topics', columns: [['topic_id', 'text']] },
  { table: 'stance_records', columns: [['country', 'char(2)'], ['topic_id', 'text']] },
  { table: 'stance_versions', columns: [['country', 'char(2)'], ['topic_id', 'text']] },
] as const;

/**
 * Identifiers compare byte by byte (collation "C") instead of by the server's locale: the same
 * order on every server, whatever locale it was created with, and sorting them costs a
 * comparison of bytes instead of a call into the locale (the query indexes over country and
 * topic build sooner). Equality is unchanged, and so is
 * the order of ISO codes and of the topic ids in use. The tables are not rewritten; their
 * indexes over these columns are rebuilt.
 */
export class ReadModelsIdentifierCollation1767657600008 implements MigrationInterface {
  name = 'ReadModelsIdentifierCollation1767657600008';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, columns } of IDENTIFIER_COLUMNS) {
      await queryRunner.query(`ALTER TABLE ${table} ${columns.map(([column, type]) => `ALTER COLUMN ${column} TYPE ${type} COLLATE "C"`).join(', ')}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const { table, columns } of IDENTIFIER_COLUMNS) {
      await queryRunner.query(`ALTER TABLE ${table} ${columns.map(([column, type]) => `ALTER COLUMN ${column} TYPE ${type} COLLATE "default"`).join(', ')}`);
    }
  }
}
