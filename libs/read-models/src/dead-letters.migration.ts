import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Events a projection could not apply, kept with the error so the projector can move on. */
export class ProjectionDeadLetters1767657600002 implements MigrationInterface {
  name = 'ProjectionDeadLetters1767657600002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projection_dead_letters (
        projection text NOT NULL,
        position numeric(39, 0) NOT NULL,
        event_id uuid NOT NULL,
        stream text NOT NULL,
        stream_revision bigint NOT NULL,
        event_type text NOT NULL,
        data jsonb,
        metadata jsonb,
        error text NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, position)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_dead_letters`);
  }
}
