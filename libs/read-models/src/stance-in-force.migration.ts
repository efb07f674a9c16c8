import type { MigrationInterface, QueryRunner } from 'typeorm';
import { IN_FORCE_INDEXES, IN_FORCE_SQL } from './stance-in-force';

/**
 * stance_in_force (stance-in-force.ts): the rectangles of valid × transaction time in which each
 * version is the stance in force, holding every column an answer shows of it (covering), with a
 * GiST index per question's equality (IN_FORCE_INDEXES; btree_gist for the identifiers), filled
 * from the versions already there. A
 * table of that name made by an earlier, narrower form (keys only, joined back to the versions)
 * is replaced.
 */
export class StanceInForce1767657600020 implements MigrationInterface {
  name = 'StanceInForce1767657600020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS btree_gist`);
    await queryRunner.query(`DROP TABLE IF EXISTS stance_in_force`);
    await queryRunner.query(`
      CREATE TABLE stance_in_force (
        country char(2) COLLATE "C" NOT NULL,
        topic_id text COLLATE "C" NOT NULL,
        valid daterange NOT NULL,
        known tstzrange NOT NULL,
        record_id uuid NOT NULL,
        version int NOT NULL,
        stance text NOT NULL,
        score smallint NOT NULL,
        effective_on date NOT NULL,
        headline text NOT NULL,
        summary text,
        conditions text,
        commitment text,
        source jsonb NOT NULL,
        record_recorded_at timestamptz NOT NULL,
        correction_ids uuid[] NOT NULL,
        retracted boolean NOT NULL,
        CONSTRAINT stance_in_force_pkey PRIMARY KEY (country, topic_id, valid, known, record_id))`);
    await queryRunner.query(
      `ALTER TABLE stance_in_force ${['headline', 'summary', 'conditions', 'commitment', 'source'].map((column) => `ALTER COLUMN ${column} SET STATISTICS 0`).join(', ')}`,
    );
    await queryRunner.query(IN_FORCE_SQL('true'));
    for (const statement of IN_FORCE_INDEXES) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE stance_in_force`);
  }
}
