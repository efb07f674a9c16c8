import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The keys the service issued, by the SHA-256 of their secret: the secret itself is never stored.
 * The log holds who was given which roles when (AccessKeyIssued/AccessKeyRevoked); this table is
 * what a request is checked against.
 */
export class AccessKeys1767657600011 implements MigrationInterface {
  name = 'AccessKeys1767657600011';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE access_keys (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      roles text[] NOT NULL,
      secret_hash bytea NOT NULL UNIQUE,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      revoked_at timestamptz,
      revoked_by text
    )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE access_keys`);
  }
}
