import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Positions are numeric(39, 0): EventStoreDB's commit and prepare positions packed into 128 bits. */
export class ReadModelsSchema1767657600001 implements MigrationInterface {
  name = 'ReadModelsSchema1767657600001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE topics (
        topic_id text PRIMARY KEY,
        title text NOT NULL,
        description text NOT NULL,
        defined_at timestamptz NOT NULL,
        position numeric(39, 0) NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE stance_records (
        event_id uuid PRIMARY KEY,
        country char(2) NOT NULL,
        topic_id text NOT NULL,
        stance text NOT NULL,
        score smallint NOT NULL,
        effective_on date NOT NULL,
        headline text NOT NULL,
        summary text,
        conditions text,
        commitment text,
        source jsonb NOT NULL,
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        stream_revision bigint NOT NULL,
        position numeric(39, 0) NOT NULL
      )`);
    await queryRunner.query(`
      CREATE INDEX stance_records_as_of
        ON stance_records (country, topic_id, effective_on, recorded_at, position)`);
    await queryRunner.query(`
      CREATE TABLE projection_checkpoints (
        projection text PRIMARY KEY,
        position numeric(39, 0) NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `INSERT INTO projection_checkpoints (projection, position, updated_at) VALUES ('read-models', 0, now())`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_checkpoints`);
    await queryRunner.query(`DROP TABLE stance_records`);
    await queryRunner.query(`DROP TABLE topics`);
  }
}
