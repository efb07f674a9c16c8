import { type EventStore, isLogInDatabase, type LogPosition, POSTGRES_LOG_RANGE } from '@stance-ledger/event-store';
import {
  Projector,
  type ProjectorOptions,
  type Queryable,
  READ_MODEL_ENTITIES,
  READ_MODEL_PROJECTIONS,
  READ_MODEL_TABLES,
  READ_MODELS_CHECKPOINT,
  readCheckpoint,
} from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';
import { beginBulkLoad, BulkRebuild, createBulkLanesTable } from './bulk-rebuild';

/**
 * Transactions projecting one range of the log at once while a shadow catches up in the
 * database, each on a connection of its pool (plus one that sizes the next range meanwhile):
 * PostgreSQL runs a statement on one core.
 */
const CATCH_UP_LANES = 2;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema) || schema === 'public' || schema === 'event_store') {
    throw new Error(`'${schema}' is not a usable schema name: lower-case letters, digits and _ only, not public or event_store`);
  }
}

/**
 * Secondary indexes the projections read through while they write (the revisions of a record):
 * built with the keys when a bulk load ends. The others serve only queries, and a rebuild builds
 * them once at the end (buildQueryIndexes), which costs far less than maintaining them row by row.
 */
const INDEXES_THE_PROJECTIONS_READ = READ_MODEL_TABLES.flatMap(({ table, readsThrough }) => (readsThrough ?? []).map((columns) => ({ table, columns })));

interface SecondaryIndex {
  table: string;
  name: string;
  /** The definition from `USING` on: what makes two indexes the same, whatever their names. */
  method: string;
}

async function secondaryIndexes(queryable: Queryable, schema: string): Promise<SecondaryIndex[]> {
  const rows = (await queryable.query(
    `SELECT c.relname AS table, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND NOT i.indisunique AND NOT i.indisprimary
      ORDER BY c.relname, ic.relname`,
    [schema, READ_MODEL_TABLES.map(({ table }) => table)],
  )) as { table: string; name: string; definition: string }[];
  return rows.map(({ table, name, definition }) => ({ table, name, method: definition.slice(definition.indexOf(' USING ') + 1) }));
}

const readByProjections = (index: SecondaryIndex) =>
  INDEXES_THE_PROJECTIONS_READ.some(({ table, columns }) => index.table === table && index.method.endsWith(` ${columns}`));

/** Tables left by a run that kept its bulk load's lanes elsewhere: begun again afresh rather than resumed. */
async function predatesBulkLanes(admin: DataSource, schema: string): Promise<boolean> {
  const [{ predates }] = (await admin.query(`SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NULL AS predates`, [
    `${schema}.${READ_MODEL_TABLES[0].table}`,
    `${schema}.projection_bulk_lanes`,
  ])) as { predates: boolean }[];
  return predates;
}

/**
 * The shadow's tables where absent: created without keys or indexes, in a bulk load. Ones left
 * by an earlier run go on as they are (a bulk load is begun only with the tables).
 */
async function createTables(manager: Queryable, schema: string): Promise<void> {
  await manager.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const [{ created }] = (await manager.query(`SELECT to_regclass($1) IS NULL AS created`, [`${schema}.${READ_MODEL_TABLES[0].table}`])) as { created: boolean }[];
  for (const { table } of [{ table: 'projection_checkpoints' }, { table: 'projection_dead_letters' }]) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${schema}.${table} (LIKE public.${table} INCLUDING ALL)`);
  }
  await createBulkLanesTable(manager, schema);
  for (const { table } of READ_MODEL_TABLES) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${schema}.${table} (LIKE public.${table} INCLUDING ALL${created ? ' EXCLUDING INDEXES' : ''})`);
  }
  if (created) await prepareBulkLoad(manager, schema);
  const deferred = new Set((await secondaryIndexes(manager, 'public')).filter((index) => !readByProjections(index)).map(({ table, method }) => `${table} ${method}`));
  for (const index of await secondaryIndexes(manager, schema)) {
    if (deferred.has(`${index.table} ${index.method}`)) await manager.query(`DROP INDEX ${schema}.${index.name}`);
  }
  await manager.query(`INSERT INTO ${schema}.projection_checkpoints (projection, position, updated_at) VALUES ($1, 0, now()) ON CONFLICT DO NOTHING`, [
    READ_MODELS_CHECKPOINT,
  ]);
}

async function prepareBulkLoad(manager: Queryable, schema: string): Promise<void> {
  // LIKE leaves the statistics targets of single columns behind.
  const targets = (await manager.query(
    `SELECT c.relname AS table, a.attname AS column, a.attstattarget AS target
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relname = ANY($1::text[]) AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget >= 0`,
    [READ_MODEL_TABLES.map(({ table }) => table)],
  )) as { table: string; column: string; target: number }[];
  for (const { table, column, target } of targets) {
    await manager.query(`ALTER TABLE ${schema}.${table} ALTER COLUMN ${column} SET STATISTICS ${Number(target)}`);
  }
  // Nothing reads the tables while they load, and their rows are never updated: autovacuum's
  // passes over them as they grow would only compete with the load. The load's own ANALYZE
  // gives the statistics; autovacuum is handed the tables back when it ends (addKeys).
  for (const { table } of READ_MODEL_TABLES) {
    await manager.query(`ALTER TABLE ${schema}.${table} SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)`);
  }
  await beginBulkLoad(manager, { schema, projection: READ_MODELS_CHECKPOINT, lanes: CATCH_UP_LANES });
}

/**
 * A set of read-model tables in a schema of their own, shaped like the live ones: a shadow to
 * verify against, the next generation of a replay, or a snapshot as of a past moment. Tables it
 * creates open without keys or indexes, for a bulk load (BulkRebuild): each row is written
 * once, as it is, and the keys and the indexes the projections read through (with the query
 * indexes, for tables to be queried) are built when the first catch-up ends (addKeys), once, which
 * costs far less than maintaining them row by row. `buildQueryIndexes` adds any still missing.
 */
export class ShadowReadModels {
  private analyzed = false;
  /** Every index built and the statistics taken after them, at the end of a bulk load. */
  private indexedAndAnalyzed = false;

  private constructor(
    readonly schema: string,
    readonly dataSource: DataSource,
    private readonly databaseUrl: string,
    private readonly withQueryIndexes: boolean,
  ) {}

  /**
   * Opens the schema, creating its tables when absent (or afresh when `fresh`). `queryIndexes`:
   * the tables will be queried (a replay, a snapshot), so the indexes only queries use are built
   * with the keys, side by side with them, instead of after them.
   */
  static async open(databaseUrl: string, admin: DataSource, schema: string, options: { fresh: boolean; queryIndexes?: boolean }): Promise<ShadowReadModels> {
    assertSchemaName(schema);
    if (options.fresh || (await predatesBulkLanes(admin, schema))) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.transaction((manager) => createTables(manager, schema));
    // Unqualified names in the projections resolve to the shadow's tables.
    const dataSource = new DataSource({
      type: 'postgres',
      url: databaseUrl,
      entities: READ_MODEL_ENTITIES,
      logging: false,
      extra: { max: CATCH_UP_LANES + 1, options: `-c search_path=${schema}` },
    });
    await dataSource.initialize();
    return new ShadowReadModels(schema, dataSource, databaseUrl, options.queryIndexes ?? false);
  }

  /**
   * A projector writing these tables; `options` override the defaults (a spec sends the events
   * through Node with `logInDatabase: false`).
   */
  projector(store: EventStore, { logInDatabase = true, ...options }: ProjectorOptions & { logInDatabase?: boolean } = {}): Projector {
    return new Projector(store, this.dataSource, READ_MODEL_PROJECTIONS, { info: () => undefined, warn: () => undefined, error: () => undefined }, READ_MODELS_CHECKPOINT, {
      logRange: logInDatabase && isLogInDatabase(store, this.databaseUrl) ? POSTGRES_LOG_RANGE : undefined,
      lanes: CATCH_UP_LANES,
      afterCatchUpBatch: () => this.analyzeOnce(),
      bulkLoad: new BulkRebuild(this.dataSource, READ_MODEL_PROJECTIONS, READ_MODELS_CHECKPOINT, (load) => this.addKeys(load)),
      ...options,
    });
  }

  /**
   * The end of a bulk load, before the projections read the tables: the primary keys of the
   * read-model tables, the indexes the projections read through, and the query indexes when the
   * tables will be queried and the load has caught up (else they are built after the rows
   * written one by one, by buildQueryIndexes), where missing, side by side (one per connection);
   * then the planner's statistics.
   */
  private async addKeys(load: { caughtUp: boolean }): Promise<void> {
    const withQueryIndexes = this.withQueryIndexes && load.caughtUp;
    const keyed = new Set(
      ((await this.dataSource.query(
        `SELECT c.relname AS table FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND k.contype = 'p'`,
        [this.schema],
      )) as { table: string }[]).map(({ table }) => table),
    );
    // Each key built as a unique index first: that takes a lock under which the table's other
    // indexes build beside it, sharing its scan, where ADD PRIMARY KEY would hold them off.
    const unkeyed = READ_MODEL_TABLES.filter(({ table }) => !keyed.has(table));
    const keys = unkeyed.map(({ table, key }) => `CREATE UNIQUE INDEX IF NOT EXISTS ${table}_pkey ON ${this.schema}.${table} (${key.join(', ')})`);
    const indexes = (await this.missingIndexes())
      .filter((index) => withQueryIndexes || readByProjections(index))
      .map((index) => `CREATE INDEX IF NOT EXISTS ${index.name} ON ${this.schema}.${index.table} ${index.method}`);
    await Promise.all([...keys, ...indexes].map((statement) => this.dataSource.query(statement)));
    for (const { table } of unkeyed) await this.dataSource.query(`ALTER TABLE ${this.schema}.${table} ADD CONSTRAINT ${table}_pkey PRIMARY KEY USING INDEX ${table}_pkey`);
    await this.analyze();
    for (const { table } of READ_MODEL_TABLES) await this.dataSource.query(`ALTER TABLE ${this.schema}.${table} RESET (autovacuum_enabled, toast.autovacuum_enabled)`);
    this.indexedAndAnalyzed = withQueryIndexes;
  }

  /**
   * Gives the planner statistics once the first batch is in. Fresh tables have none, and a batch
   * that revises records deletes their versions by `record_id = ANY(...)`: without statistics
   * the planner expects most of the table back and, past a few hundred thousand rows, scans all
   * of it on every such batch. What one ANALYZE records
   * (ids nearly all distinct, as a fraction of the rows) stays true as the tables grow.
   */
  private async analyzeOnce(): Promise<void> {
    if (this.analyzed) return;
    this.analyzed = true;
    await this.analyze();
  }

  /** The planner's statistics of every read-model table, one table per connection. */
  private async analyze(): Promise<void> {
    await Promise.all(READ_MODEL_TABLES.map(({ table }) => this.dataSource.query(`ANALYZE ${this.schema}.${table}`)));
  }

  /**
   * Builds the indexes the queries use, named as the live ones, and the planner's statistics: after
   * a bulk catch-up, before the tables are queried or swapped in.
   */
  async buildQueryIndexes(): Promise<void> {
    const missing = await this.missingIndexes();
    // Built with the keys, and the statistics taken after them.
    if (missing.length === 0 && this.indexedAndAnalyzed) return;
    // Side by side, one per connection: builds over one table share its scan.
    await Promise.all(missing.map((index) => this.dataSource.query(`CREATE INDEX IF NOT EXISTS ${index.name} ON ${this.schema}.${index.table} ${index.method}`)));
    await this.analyze();
  }

  /** The live tables' secondary indexes this schema's tables lack (matched by definition, whatever their names). */
  private async missingIndexes(): Promise<SecondaryIndex[]> {
    const present = new Set((await secondaryIndexes(this.dataSource, this.schema)).map(({ table, method }) => `${table} ${method}`));
    return (await secondaryIndexes(this.dataSource, 'public')).filter((index) => !present.has(`${index.table} ${index.method}`));
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

/**
 * Row-by-row differences between the live read models and a shadow, both as of one snapshot: at
 * most 2,000 per table, in key order. One full join on the primary key per table, each pair of
 * rows compared column by column (NULLs equal), where an EXCEPT each way would sort every whole
 * row.
 */
export async function compareReadModels(manager: { query: (sql: string) => Promise<unknown[]> }, schema: string): Promise<{ rows: Record<string, number>; mismatches: RowMismatch[] }> {
  assertSchemaName(schema);
  const rows: Record<string, number> = {};
  const mismatches: RowMismatch[] = [];
  for (const { table, key } of READ_MODEL_TABLES) {
    const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM public.${table}`)) as { count: number }[];
    rows[table] = count;
    const columns = ((await manager.query(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '${table}' ORDER BY ordinal_position`,
    )) as { name: string }[]).map(({ name }) => name);
    const row = (side: string) => `ROW(${columns.map((column) => `${side}.${column}`).join(', ')})`;
    const differences = (await manager.query(
      `SELECT ${key.map((column) => `coalesce(l.${column}, s.${column}) AS ${column}`).join(', ')},
              CASE WHEN s.${key[0]} IS NULL THEN 'unexpected-in-live' WHEN l.${key[0]} IS NULL THEN 'missing-in-live' ELSE 'different' END AS problem
         FROM public.${table} l FULL JOIN ${schema}.${table} s ON ${key.map((column) => `l.${column} = s.${column}`).join(' AND ')}
        WHERE l.${key[0]} IS NULL OR s.${key[0]} IS NULL OR ${row('l')} IS DISTINCT FROM ${row('s')}
        ORDER BY ${key.map((column) => `coalesce(l.${column}, s.${column})`).join(', ')}
        LIMIT 2000`,
    )) as (Record<string, unknown> & { problem: RowMismatch['problem'] })[];
    for (const { problem, ...keyOfRow } of differences) mismatches.push({ table, key: keyOfRow, problem });
  }
  return { rows, mismatches };
}
