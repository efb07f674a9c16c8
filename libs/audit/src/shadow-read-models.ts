import type { EventStore, LogPosition } from '@stance-ledger/event-store';
import { Projector, READ_MODEL_ENTITIES, READ_MODEL_PROJECTIONS, READ_MODELS_CHECKPOINT, readCheckpoint } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';

/** The read-model tables, with the columns that identify a row. */
export const READ_MODEL_TABLES = [
  { table: 'topics', key: ['topic_id'] },
  { table: 'stance_records', key: ['record_id'] },
  { table: 'stance_revisions', key: ['event_id'] },
  { table: 'stance_versions', key: ['record_id', 'version'] },
] as const;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema) || schema === 'public' || schema === 'event_store') {
    throw new Error(`'${schema}' is not a usable schema name: lower-case letters, digits and _ only, not public or event_store`);
  }
}

/**
 * A set of read-model tables in a schema of their own, shaped like the live ones: a shadow to
 * verify against, the next generation of a replay, or a snapshot as of a past moment.
 */
export class ShadowReadModels {
  private constructor(
    readonly schema: string,
    readonly dataSource: DataSource,
  ) {}

  /** Opens the schema, creating its tables when absent (or afresh when `fresh`). */
  static async open(databaseUrl: string, admin: DataSource, schema: string, options: { fresh: boolean }): Promise<ShadowReadModels> {
    assertSchemaName(schema);
    if (options.fresh) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.transaction(async (manager) => {
      await manager.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      for (const { table } of [...READ_MODEL_TABLES, { table: 'projection_checkpoints' }, { table: 'projection_dead_letters' }]) {
        await manager.query(`CREATE TABLE IF NOT EXISTS ${schema}.${table} (LIKE public.${table} INCLUDING ALL)`);
      }
      await manager.query(
        `INSERT INTO ${schema}.projection_checkpoints (projection, position, updated_at) VALUES ($1, 0, now()) ON CONFLICT DO NOTHING`,
        [READ_MODELS_CHECKPOINT],
      );
    });
    // Unqualified names in the projections resolve to the shadow's tables.
    const dataSource = new DataSource({
      type: 'postgres',
      url: databaseUrl,
      entities: READ_MODEL_ENTITIES,
      logging: false,
      extra: { max: 2, options: `-c search_path=${schema}` },
    });
    await dataSource.initialize();
    return new ShadowReadModels(schema, dataSource);
  }

  projector(store: EventStore): Projector {
    return new Projector(store, this.dataSource, READ_MODEL_PROJECTIONS, { info: () => undefined, warn: () => undefined, error: () => undefined });
  }

  position(): Promise<LogPosition> {
    return readCheckpoint(this.dataSource);
  }

  async close(): Promise<void> {
    await this.dataSource.destroy();
  }
}

export interface RowMismatch {
  table: string;
  key: Record<string, unknown>;
  problem: 'missing-in-live' | 'unexpected-in-live' | 'different';
}

/** Row-by-row differences between the live read models and a shadow, both as of one snapshot. */
export async function compareReadModels(manager: { query: (sql: string) => Promise<unknown[]> }, schema: string): Promise<{ rows: Record<string, number>; mismatches: RowMismatch[] }> {
  assertSchemaName(schema);
  const rows: Record<string, number> = {};
  const mismatches: RowMismatch[] = [];
  for (const { table, key } of READ_MODEL_TABLES) {
    const keys = key.join(', ');
    const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM public.${table}`)) as { count: number }[];
    rows[table] = count;
    const onlyLive = (await manager.query(
      `SELECT ${keys} FROM (SELECT * FROM public.${table} EXCEPT SELECT * FROM ${schema}.${table}) d ORDER BY ${keys} LIMIT 1000`,
    )) as Record<string, unknown>[];
    const onlyShadow = (await manager.query(
      `SELECT ${keys} FROM (SELECT * FROM ${schema}.${table} EXCEPT SELECT * FROM public.${table}) d ORDER BY ${keys} LIMIT 1000`,
    )) as Record<string, unknown>[];
    const id = (row: Record<string, unknown>) => JSON.stringify(key.map((column) => row[column]));
    const shadowKeys = new Set(onlyShadow.map(id));
    const liveKeys = new Set(onlyLive.map(id));
    for (const row of onlyLive) mismatches.push({ table, key: row, problem: shadowKeys.has(id(row)) ? 'different' : 'unexpected-in-live' });
    for (const row of onlyShadow) if (!liveKeys.has(id(row))) mismatches.push({ table, key: row, problem: 'missing-in-live' });
  }
  return { rows, mismatches };
}
