import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { READ_MODEL_PROJECTIONS, Projector } from '@stance-ledger/read-models';
import type { DataSource } from 'typeorm';
import { readModelSnapshot } from '../../../test/support/projector-crash';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { buildSnapshot, replay } from './replay';
import { ShadowReadModels } from './shadow-read-models';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Secondary (non-unique) index names and definitions of a schema's read-model tables. */
async function queryIndexes(dataSource: DataSource, schema: string): Promise<string[]> {
  const rows: { name: string; method: string }[] = await dataSource.query(
    `SELECT ic.relname AS name, substring(pg_get_indexdef(i.indexrelid) from ' USING .*') AS method
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname IN ('topics', 'stance_records', 'stance_revisions', 'stance_versions') AND NOT i.indisunique
      ORDER BY 2`,
    [schema],
  );
  return rows.map(({ name, method }) => `${name}${method}`);
}

/** The read-model tables of a schema (and their TOAST tables) that have storage parameters, with them. */
async function storageParameters(dataSource: DataSource, schema: string): Promise<string[]> {
  const rows: { options: string }[] = await dataSource.query(
    `SELECT c.relname || coalesce(' ' || array_to_string(c.reloptions, ','), '') || coalesce(' toast ' || array_to_string(t.reloptions, ','), '') AS options
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
      WHERE n.nspname = $1 AND c.relname IN ('topics', 'stance_records', 'stance_revisions', 'stance_versions') AND (c.reloptions IS NOT NULL OR t.reloptions IS NOT NULL)
      ORDER BY 1`,
    [schema],
  );
  return rows.map(({ options }) => options);
}

/** Each read-model table's primary key: its name and definition. */
async function primaryKeys(dataSource: DataSource, schema: string): Promise<string[]> {
  const rows: { key: string }[] = await dataSource.query(
    `SELECT c.relname || ': ' || k.conname || ' ' || pg_get_constraintdef(k.oid) AS key
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND k.contype = 'p' AND c.relname IN ('topics', 'stance_records', 'stance_revisions', 'stance_versions')
      ORDER BY 1`,
    [schema],
  );
  return rows.map(({ key }) => key);
}

describe('Replay and snapshots build the query indexes once, after catching up', () => {
  let url: string;
  let dataSource: DataSource;
  let store: PostgresEventStore;

  beforeAll(async () => {
    ({ url, dataSource } = await createMigratedDatabase('replay_indexes'));
    store = new PostgresEventStore({ connectionString: url });
    const metadata = (minute: number) => ({ schemaVersion: 1, recordedAt: new Date(Date.UTC(2026, 0, 6, 10, minute)).toISOString(), recordedBy: 'spec', commandId: randomUUID(), correlationId: 'spec', causationId: randomUUID(), commandHash: 'x' });
    await store.appendToStream('topic-force', [{ eventId: randomUUID(), type: 'TopicDefined', data: { topicId: 'force', title: 'Force', description: 'd' }, metadata: metadata(0) }], { expectedRevision: 'any' });
    const source = { publisher: 'AFP', title: null, url: null, publishedOn: null, quote: null, speaker: null };
    const ids: string[] = [];
    for (const [n, country] of ['ES', 'FR', 'IT', 'DE'].entries()) {
      const eventId = randomUUID();
      ids.push(eventId);
      const data = { country, topicId: 'force', stance: 'open', effectiveOn: '2026-01-06', headline: `${country} opens`, summary: null, conditions: null, commitment: null, source };
      await store.appendToStream(`country-${country}`, [{ eventId, type: 'StanceRecorded', data, metadata: metadata(n + 1) }], { expectedRevision: 'any' });
    }
    await store.appendToStream('country-ES', [{ eventId: randomUUID(), type: 'StanceCorrected', data: { country: 'ES', topicId: 'force', recordId: ids[0], changes: { stance: 'supports', conditions: null }, reason: 'r' }, metadata: metadata(10) }], { expectedRevision: 'any' });
    await store.appendToStream('country-IT', [{ eventId: randomUUID(), type: 'StanceRetracted', data: { country: 'IT', topicId: 'force', recordId: ids[2], reason: 'r' }, metadata: metadata(11) }], { expectedRevision: 'any' });
    await new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent).catchUp();
  });
  afterAll(async () => {
    await store.close();
    await dataSource.destroy();
  });

  it('opens a shadow without keys or indexes, gives it the keys and the indexes the projections read through when caught up, then the others named as the live ones', async () => {
    const live = await queryIndexes(dataSource, 'public');
    expect(live).toEqual(expect.arrayContaining([expect.stringMatching(/^stance_versions_country USING btree \(country, topic_id, effective_on\)$/)]));
    const shadow = await ShadowReadModels.open(url, dataSource, 'indexes_shadow', { fresh: true });
    try {
      expect(await queryIndexes(dataSource, 'indexes_shadow')).toEqual([]);
      expect(await primaryKeys(dataSource, 'indexes_shadow')).toEqual([]);
      // Autovacuum stays off the tables while they load, and has them back after.
      expect(await storageParameters(dataSource, 'indexes_shadow')).toEqual(
        ['stance_records', 'stance_revisions', 'stance_versions', 'topics'].map((table) => expect.stringMatching(new RegExp(`^${table} autovacuum_enabled=false( toast autovacuum_enabled=false)?$`))),
      );
      await shadow.projector(store).catchUp();
      expect(await storageParameters(dataSource, 'indexes_shadow')).toEqual([]);
      expect(await queryIndexes(dataSource, 'indexes_shadow')).toEqual([expect.stringMatching(/ USING btree \(record_id\)$/)]);
      expect(await primaryKeys(dataSource, 'indexes_shadow')).toEqual(await primaryKeys(dataSource, 'public'));
      await shadow.buildQueryIndexes();
      const built = await queryIndexes(dataSource, 'indexes_shadow');
      expect(built.map((index) => index.replace(/^\S+/, ''))).toEqual(live.map((index) => index.replace(/^\S+/, '')));
      expect(built.filter((index) => !index.endsWith('(record_id)'))).toEqual(live.filter((index) => !index.endsWith('(record_id)')));
    } finally {
      await shadow.close();
      await dataSource.query(`DROP SCHEMA indexes_shadow CASCADE`);
    }
  });

  it('leaves the query indexes for the end when the rebuild goes through Node (another log), as a bulk load stopped at once', async () => {
    const shadow = await ShadowReadModels.open(url, dataSource, 'through_node_shadow', { fresh: true, queryIndexes: true });
    try {
      await shadow.projector(store, { logInDatabase: false }).catchUp();
      // Kept row by row from the first event otherwise: only what the projections read through is there.
      expect(await queryIndexes(dataSource, 'through_node_shadow')).toEqual([expect.stringMatching(/ USING btree \(record_id\)$/)]);
      expect(await primaryKeys(dataSource, 'through_node_shadow')).toEqual(await primaryKeys(dataSource, 'public'));
      await shadow.buildQueryIndexes();
      expect((await queryIndexes(dataSource, 'through_node_shadow')).length).toBe((await queryIndexes(dataSource, 'public')).length);
    } finally {
      await shadow.close();
      await dataSource.query(`DROP SCHEMA through_node_shadow CASCADE`);
    }
  });

  it('swaps in tables equal to the live ones, with the same query indexes, also when resumed from tables left without them', async () => {
    const before = await readModelSnapshot(dataSource);
    const indexesBefore = await queryIndexes(dataSource, 'public');
    // An interrupted run left its tables half built, without the query indexes.
    const partial = await ShadowReadModels.open(url, dataSource, 'read_models_next', { fresh: true });
    const [, second] = await store.readAll({ maxCount: 2 });
    await partial.projector(store).catchUp({ until: { position: second.position } });
    await partial.close();

    const result = await replay({ store, dataSource, databaseUrl: url });
    expect(result.position).toBe((await store.headPosition()).toString());
    expect(await readModelSnapshot(dataSource)).toEqual(before);
    // The swapped-in tables sample for the planner what the migrated ones did: not the payloads.
    const [{ targets }] = await dataSource.query(
      `SELECT array_agg(a.attname::text || ' ' || a.attstattarget ORDER BY a.attname) AS targets FROM pg_attribute a
        WHERE a.attrelid = 'public.stance_versions'::regclass AND a.attstattarget IS NOT NULL AND a.attstattarget >= 0`,
    );
    expect(targets).toEqual(['commitment 0', 'conditions 0', 'headline 0', 'source 0', 'summary 0']);
    expect(await storageParameters(dataSource, 'public')).toEqual([]);
    expect((await queryIndexes(dataSource, 'public')).filter((index) => !index.endsWith('(record_id)'))).toEqual(indexesBefore.filter((index) => !index.endsWith('(record_id)')));
  });

  it('builds a snapshot that has the keys and the query indexes, and no bulk load left open', async () => {
    await buildSnapshot({ store, dataSource, databaseUrl: url, name: 'spec', until: { position: await store.headPosition() } });
    expect((await queryIndexes(dataSource, 'snapshot_spec')).length).toBe((await queryIndexes(dataSource, 'public')).length);
    expect(await primaryKeys(dataSource, 'snapshot_spec')).toEqual(await primaryKeys(dataSource, 'public'));
    expect(await dataSource.query(`SELECT projection FROM snapshot_spec.projection_checkpoints`)).toEqual([{ projection: 'read-models' }]);
  });

  it('refuses to build a snapshot under a name no query could ask for', async () => {
    for (const name of ['Spec', 'a'.repeat(41), 'spec-2', '']) {
      await expect(buildSnapshot({ store, dataSource, databaseUrl: url, name, until: { position: 1n } })).rejects.toThrow('is not a snapshot name');
    }
  });
});
