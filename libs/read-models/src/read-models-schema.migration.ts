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
        record_id uuid PRIMARY KEY,
        country char(2) NOT NULL,
        topic_id text NOT NULL,
        recorded jsonb NOT NULL,
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        stream_revision bigint NOT NULL,
        position numeric(39, 0) NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE stance_revisions (
        event_id uuid PRIMARY KEY,
        record_id uuid NOT NULL REFERENCES stance_records (record_id),
        kind text NOT NULL CHECK (kind IN ('corrected', 'retracted')),
        changes jsonb,
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL,
        recorded_by text NOT NULL,
        position numeric(39, 0) NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX stance_revisions_record ON stance_revisions (record_id)`);
    await queryRunner.query(`
      CREATE TABLE stance_versions (
        record_id uuid NOT NULL REFERENCES stance_records (record_id),
        version int NOT NULL,
        country char(2) NOT NULL,
        topic_id text NOT NULL,
        stance text NOT NULL,
        score smallint NOT NULL CHECK (score BETWEEN -2 AND 2),
        effective_on date NOT NULL,
        headline text NOT NULL,
        summary text,
        conditions text,
        commitment text,
        source jsonb NOT NULL,
        record_recorded_at timestamptz NOT NULL,
        known_from timestamptz NOT NULL,
        known_until timestamptz,
        retracted boolean NOT NULL,
        correction_ids uuid[] NOT NULL,
        PRIMARY KEY (record_id, version)
      )`);
    await queryRunner.query(`CREATE INDEX stance_versions_country ON stance_versions (country, topic_id, effective_on)`);
    await queryRunner.query(`CREATE INDEX stance_versions_topic ON stance_versions (topic_id, effective_on, country)`);
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
    await queryRunner.query(`DROP TABLE stance_versions`);
    await queryRunner.query(`DROP TABLE stance_revisions`);
    await queryRunner.query(`DROP TABLE stance_records`);
    await queryRunner.query(`DROP TABLE topics`);
  }
}
