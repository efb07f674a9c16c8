import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reports of `verify`, the latest served at GET /audit/integrity. */
export class AuditVerifications1767657600003 implements MigrationInterface {
  name = 'AuditVerifications1767657600003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE audit_verifications (
        id bigserial PRIMARY KEY,
        verified_at timestamptz NOT NULL,
        ok boolean NOT NULL,
        report jsonb NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE audit_verifications`);
  }
}
