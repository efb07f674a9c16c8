import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * stance_records no longer keeps the StanceRecorded payload (`recorded`): version 0 of every
 * record holds the same values in columns, and rebuilding a revised record now starts from it.
 * The payload was most of the table (about 1.3 of 1.8 GB over 2.7M records) and of what a
 * rebuild wrote and scanned for each record. Dropping a column does not rewrite the table.
 * `down` puts the payload back from version 0.
 */
export class StanceRecordsWithoutPayload1767657600010 implements MigrationInterface {
  name = 'StanceRecordsWithoutPayload1767657600010';

  async up(queryRunner: QueryRunner): Promise<void> {
    const [{ missing }] = (await queryRunner.query(
      `SELECT count(*)::int AS missing FROM stance_records r WHERE NOT EXISTS (SELECT 1 FROM stance_versions v WHERE v.record_id = r.record_id AND v.version = 0)`,
    )) as { missing: number }[];
    // Every record has had its version 0 since the first schema; a database that lacks one would lose its payload.
    if (missing > 0) throw new Error(`${missing} stance records have no version 0: rebuild the read models (npm run cli -- replay) before migrating`);
    await queryRunner.query(`ALTER TABLE stance_records DROP COLUMN recorded`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE stance_records ADD COLUMN recorded jsonb`);
    await queryRunner.query(`
      UPDATE stance_records r
         SET recorded = jsonb_build_object('country', v.country, 'topicId', v.topic_id, 'stance', v.stance, 'effectiveOn', v.effective_on,
                                           'headline', v.headline, 'summary', v.summary, 'conditions', v.conditions, 'commitment', v.commitment, 'source', v.source)
        FROM stance_versions v WHERE v.record_id = r.record_id AND v.version = 0`);
    await queryRunner.query(`ALTER TABLE stance_records ALTER COLUMN recorded SET NOT NULL, ALTER COLUMN recorded SET STATISTICS 0`);
  }
}
