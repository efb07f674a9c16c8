import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Watchlists pushing stance changes to receivers, beside the access keys: they are the service's
 * own state, not read models (a replay leaves them alone). `checkpoint` is the log position up to
 * which every matching change was delivered (answered 2xx); the `pending_*` columns name the
 * batch in flight, persisted before its first attempt so that every retry, even after a restart,
 * sends the same changes under the same delivery id. Positions are numeric(39, 0), as the read
 * models' are: EventStoreDB packs its commit and prepare positions into 128 bits.
 */
export class Webhooks1767657600013 implements MigrationInterface {
  name = 'Webhooks1767657600013';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE webhooks (
      id uuid PRIMARY KEY,
      owner text NOT NULL,
      url text NOT NULL,
      topic_ids text[],
      countries text[],
      description text,
      secret_sealed bytea NOT NULL,
      created_at timestamptz NOT NULL,
      checkpoint numeric(39, 0) NOT NULL,
      state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'failing')),
      failing_since timestamptz,
      pending_delivery_id uuid,
      pending_through numeric(39, 0),
      pending_attempts integer NOT NULL DEFAULT 0,
      pending_since timestamptz,
      next_attempt_at timestamptz,
      last_delivery_at timestamptz,
      last_error text,
      CHECK ((pending_delivery_id IS NULL) = (pending_through IS NULL))
    )`);
    await queryRunner.query(`CREATE INDEX webhooks_owner ON webhooks (owner, created_at)`);
    await queryRunner.query(`CREATE TABLE webhook_deliveries (
      seq bigserial PRIMARY KEY,
      webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
      delivery_id uuid NOT NULL,
      attempt integer NOT NULL,
      status text NOT NULL CHECK (status IN ('delivered', 'failed')),
      response_code integer,
      error text,
      changes integer NOT NULL,
      through_position numeric(39, 0) NOT NULL,
      attempted_at timestamptz NOT NULL,
      next_attempt_at timestamptz
    )`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (webhook_id, seq DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_deliveries`);
    await queryRunner.query(`DROP TABLE webhooks`);
  }
}
