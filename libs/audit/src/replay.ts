import type { EventStore, LogPosition } from '@stance-ledger/event-store';
import { READ_MODEL_TABLES, READ_MODELS_CHANGED_CHANNEL, readCheckpoint } from '@stance-ledger/read-models';
import type { DataSource } from 'typeorm';
import { assertSchemaName, ShadowReadModels } from './shadow-read-models';

const NEXT = 'read_models_next';
const REPLACED = 'read_models_replaced';
/** The checkpoint first: the projector's transactions start by locking it, so nobody waits in a cycle. */
const SWAPPED_TABLES = ['projection_checkpoints', 'projection_dead_letters', ...READ_MODEL_TABLES.map(({ table }) => table)];

/** A snapshot named `n` lives in schema `snapshot_n`. */
export const SNAPSHOT_PREFIX = 'snapshot_';

/** What a snapshot may be called: the name the CLI builds and a query's `?snapshot=` asks for. */
export const SNAPSHOT_NAME = /^[a-z0-9_]{1,40}$/;
export const SNAPSHOT_NAME_RULE = '1 to 40 lower-case letters, digits or _';

/**
 * Rebuilds every read model from the log into fresh tables beside the live ones, then swaps them
 * in one transaction: queries keep answering from the old tables until the swap, and from the new
 * ones after. Interrupted, it resumes from the tables it was building.
 */
export async function replay(input: {
  store: EventStore;
  dataSource: DataSource;
  databaseUrl: string;
  onProgress?: (position: LogPosition, events: number, head: LogPosition) => void;
}): Promise<{ position: string; events: number }> {
  const { store, dataSource } = input;
  const next = await ShadowReadModels.open(input.databaseUrl, dataSource, NEXT, { fresh: false, queryIndexes: true });
  let events = 0;
  try {
    const head = await store.headPosition();
    const projector = next.projector(store);
    // Counted apart from the callback: an optional call skips evaluating its arguments.
    const applied = (position: LogPosition, added: number) => {
      events += added;
      input.onProgress?.(position, events, head);
    };
    await projector.catchUp({ onBatch: applied });
    // Outside the lock below: queries on the live tables wait for nothing while the indexes build.
    await next.buildQueryIndexes();
    const switchedAt = await dataSource.transaction(async (manager) => {
      await manager.query(`LOCK TABLE public.projection_checkpoints IN ACCESS EXCLUSIVE MODE`);
      // The live projector is held here; the new tables must not be behind it, or the events in
      // between would never reach them.
      const live = await readCheckpoint(manager, { table: 'public.projection_checkpoints' });
      const caughtUp = await projector.catchUp({ until: { position: live }, onBatch: applied });
      await manager.query(`DROP SCHEMA IF EXISTS ${REPLACED} CASCADE`);
      await manager.query(`CREATE SCHEMA ${REPLACED}`);
      for (const table of SWAPPED_TABLES) {
        await manager.query(`ALTER TABLE public.${table} SET SCHEMA ${REPLACED}`);
        await manager.query(`ALTER TABLE ${NEXT}.${table} SET SCHEMA public`);
      }
      // Readers keeping answers read from the old tables learn of the swap on commit.
      await manager.query(`SELECT pg_notify('${READ_MODELS_CHANGED_CHANNEL}', 'tables swapped')`);
      return caughtUp;
    });
    return { position: switchedAt.toString(), events };
  } finally {
    await next.close();
    await dataSource.query(`DROP SCHEMA IF EXISTS ${REPLACED} CASCADE`);
    await dataSource.query(`DROP SCHEMA IF EXISTS ${NEXT} CASCADE`).catch(() => undefined);
  }
}

/**
 * The read models as they stood at a past point of the log (a position, or the last event
 * recorded at or before an instant), kept in schema `snapshot_<name>` for queries with
 * `?snapshot=<name>`: an old report, reproduced exactly.
 */
export async function buildSnapshot(input: {
  store: EventStore;
  dataSource: DataSource;
  databaseUrl: string;
  name: string;
  until: { position?: LogPosition; recordedAt?: Date };
  onProgress?: (position: LogPosition, events: number) => void;
}): Promise<{ schema: string; position: string; events: number }> {
  if (!SNAPSHOT_NAME.test(input.name)) throw new Error(`'${input.name}' is not a snapshot name: ${SNAPSHOT_NAME_RULE}`);
  const schema = `${SNAPSHOT_PREFIX}${input.name}`;
  assertSchemaName(schema);
  const snapshot = await ShadowReadModels.open(input.databaseUrl, input.dataSource, schema, { fresh: true, queryIndexes: true });
  let events = 0;
  try {
    const position = await snapshot.projector(input.store).catchUp({
      until: input.until,
      onBatch: (at, added) => {
        events += added;
        input.onProgress?.(at, events);
      },
    });
    await snapshot.buildQueryIndexes();
    return { schema, position: position.toString(), events };
  } finally {
    await snapshot.close();
  }
}
