import { hash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  ACCESS_KEYS_STREAM,
  type AccessKeyCommand,
  AccessKeyAlreadyRevokedError,
  AccessKeyNotFoundError,
  isUuid,
  accessKeysDecider,
  parseAccessKeyName,
  parseRoles,
  type Role,
} from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { DataSource } from 'typeorm';
import type { CommandContext } from '../shared/command-context';
import { DecidedStates } from '../shared/decided-states';
import { handleCommand } from '../shared/handle-command';
import { CLOCK, type Clock, EVENT_STORE } from '../shared/tokens';
import { Metrics } from '../metrics/metrics';

export interface AccessKey {
  id: string;
  name: string;
  roles: Role[];
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
}

/** A key as issued: the secret is in this answer only. */
export interface IssuedAccessKey extends Omit<AccessKey, 'revokedAt' | 'revokedBy'> {
  key: string;
}

/** Secrets the service issues: 256 random bits, recognisable by their prefix (secret scanners look for such). */
export const ACCESS_KEY_PREFIX = 'slk_';

/**
 * SHA-256 of a secret. A key is 256 random bits (a bootstrap key at least 32 characters chosen by
 * the operator), so a slow password hash would add nothing but latency to every request.
 */
export const secretHash = (secret: string): Buffer => hash('sha256', secret, 'buffer');

interface KeyRow {
  id: string;
  name: string;
  roles: Role[];
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
  revoked_by: string | null;
}

const toKey = (row: KeyRow): AccessKey => ({
  id: row.id,
  name: row.name,
  roles: row.roles,
  createdAt: row.created_at,
  createdBy: row.created_by,
  revokedAt: row.revoked_at,
  revokedBy: row.revoked_by,
});

/** Serialises issuing with the "no key yet" check of the bootstrap, across processes. */
const ISSUE_LOCK = 'SELECT pg_advisory_xact_lock(7336911002)';

/**
 * Issuing, revoking and checking access keys. Each grant and revocation is appended to the
 * access-keys stream (hash-chained, `recordedBy` the admin who did it) in the transaction that
 * writes the key's row, so a key works only if its grant is on the record.
 */
@Injectable()
export class AccessKeys {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly states: DecidedStates,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** Issues a key; `secret` only for a bootstrap key chosen by the operator. `onlyIfNone` issues it only into a store without keys. */
  async issue(
    input: { name: unknown; roles: unknown },
    by: CommandContext,
    options: { secret?: string; onlyIfNone?: boolean } = {},
  ): Promise<IssuedAccessKey | undefined> {
    const name = parseAccessKeyName(input.name);
    const roles = parseRoles(input.roles);
    const id = randomUUID();
    const secret = options.secret ?? `${ACCESS_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const createdAt = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      await manager.query(ISSUE_LOCK);
      if (options.onlyIfNone) {
        const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM access_keys`)) as { count: number }[];
        if (count > 0) return undefined;
      }
      await manager.query(
        `INSERT INTO access_keys (id, name, roles, secret_hash, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, name, roles, secretHash(secret), createdAt, by.recordedBy],
      );
      await this.append({ type: 'IssueAccessKey', data: { keyId: id, name, roles } }, by, createdAt);
      return { id, name, roles, createdAt, createdBy: by.recordedBy, key: secret };
    });
  }

  async revoke(id: string, by: CommandContext): Promise<AccessKey> {
    if (!isUuid(id)) throw new AccessKeyNotFoundError(id);
    const revokedAt = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(`SELECT * FROM access_keys WHERE id = $1 FOR UPDATE`, [id])) as KeyRow[];
      if (!row) throw new AccessKeyNotFoundError(id);
      if (row.revoked_at) throw new AccessKeyAlreadyRevokedError(id);
      await manager.query(`UPDATE access_keys SET revoked_at = $2, revoked_by = $3 WHERE id = $1`, [id, revokedAt, by.recordedBy]);
      await this.append({ type: 'RevokeAccessKey', data: { keyId: id } }, by, revokedAt);
      return toKey({ ...row, revoked_at: revokedAt, revoked_by: by.recordedBy });
    });
  }

  async list(): Promise<AccessKey[]> {
    const rows = (await this.dataSource.query(`SELECT * FROM access_keys ORDER BY created_at, id`)) as KeyRow[];
    return rows.map(toKey);
  }

  /** The live key whose secret this is, if any. */
  async verify(secret: string): Promise<{ id: string; name: string; roles: Role[] } | undefined> {
    const rows = (await this.dataSource.query(`SELECT id, name, roles FROM access_keys WHERE secret_hash = $1 AND revoked_at IS NULL`, [
      secretHash(secret),
    ])) as { id: string; name: string; roles: Role[] }[];
    return rows[0];
  }

  /** Recorded at `at`, the instant the key's row holds. */
  private append(command: AccessKeyCommand, by: CommandContext, at: Date) {
    return handleCommand({
      store: this.store,
      states: this.states,
      clock: this.clock,
      metrics: this.metrics,
      stream: ACCESS_KEYS_STREAM,
      decider: accessKeysDecider,
      command,
      context: () => undefined,
      meta: { ...by, recordedAt: at },
    });
  }
}
