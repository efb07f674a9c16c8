import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createMigratedDatabase } from '../../../../test/support/test-database';
import type { RecordedEvent } from '../event-store';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { APPEND_GROUP_SQL, type GroupAnswer, groupPayload } from './append-group';
import { PostgresEventStore } from './postgres-event-store';

/** A store on a fresh, migrated database of its own, and that database's URL. */
async function storeOnFreshLog(label: string, options: { pollIntervalMs?: number } = {}): Promise<{ url: string; store: PostgresEventStore }> {
  const { url, dataSource } = await createMigratedDatabase(label);
  await dataSource.destroy();
  return { url, store: new PostgresEventStore({ connectionString: url, ...options }) };
}

describeEventStoreContract('PostgreSQL', async () => (await storeOnFreshLog('contract_pg', { pollIntervalMs: 20 })).store);

describe('PostgresEventStore: import pages', () => {
  it('appends a page all or nothing: one misplaced event leaves every stream as it was', async () => {
    const { store } = await storeOnFreshLog('import_page');
    const event = (stream: string, revision: bigint) => ({ stream, revision, eventId: randomUUID(), type: 'SomethingHappened', data: {}, metadata: {} });
    await expect(store.appendInOrder([event('a', 0n), event('b', 0n), event('a', 2n)])).rejects.toMatchObject({ stream: 'a', actual: -1n });
    expect(await store.headPosition()).toBe(0n);
    expect(await store.readStream('b')).toEqual([]);
    await store.appendInOrder([event('a', 0n), event('b', 0n), event('a', 1n)]);
    expect((await store.readAll()).map((e) => [e.stream, e.revision, e.position])).toEqual([
      ['a', 0n, 1n],
      ['b', 0n, 2n],
      ['a', 1n, 3n],
    ]);
    await store.close();
  });
});

describe('PostgresEventStore: atomic import', () => {
  const line = (stream: string, revision: number) =>
    JSON.stringify({ position: '9', stream, revision: String(revision), eventId: randomUUID(), type: 'SomethingHappened', data: { revision }, metadata: {} });
  async function* pagesOf(...pages: string[][]) {
    yield* pages;
  }

  it('imports pages in one transaction, each stream at the revisions it states, positions in page order', async () => {
    const { store } = await storeOnFreshLog('atomic_import');
    try {
      const imported = await store.importAtomically(pagesOf([line('a', 0), line('b', 0)], [line('a', 1), line('a', 2)]), async () => true);
      expect(imported).toBe(4);
      expect((await store.readAll()).map((e) => [e.stream, e.revision, e.position])).toEqual([
        ['a', 0n, 1n],
        ['b', 0n, 2n],
        ['a', 1n, 3n],
        ['a', 2n, 4n],
      ]);
      // The streams' revisions are recorded: appends go on from them.
      await expect(store.appendToStream('a', [{ eventId: randomUUID(), type: 'X', data: {}, metadata: {} }], { expectedRevision: 2n })).resolves.toMatchObject({ nextExpectedRevision: 3n });
    } finally {
      await store.close();
    }
  });

  it('keeps nothing when an event is not the next of its stream, or when the caller says no', async () => {
    const { store } = await storeOnFreshLog('atomic_import_refused');
    try {
      await expect(store.importAtomically(pagesOf([line('a', 0), line('b', 0)], [line('a', 2)]), async () => true)).rejects.toMatchObject({ stream: 'a', actual: 0n });
      expect(await store.headPosition()).toBe(0n);
      expect(await store.importAtomically(pagesOf([line('a', 0)]), async () => false)).toBe(0);
      expect(await store.headPosition()).toBe(0n);
      expect(await store.readStream('a')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('PostgresEventStore: group commit', () => {
  let url: string;
  let store: PostgresEventStore;
  beforeAll(async () => {
    ({ url, store } = await storeOnFreshLog('group_commit'));
  });
  afterAll(() => store.close());

  const event = (n: number) => ({ eventId: randomUUID(), type: 'SomethingHappened', data: { n }, metadata: {} });

  it('answers each append of a group on its own: a refused one does not take the others down', async () => {
    const taken = `taken-${randomUUID()}`;
    await store.appendToStream(taken, [event(0)], { expectedRevision: 'no_stream' });
    // Started in one tick, these gather into the same groups.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, n) =>
        n === 17
          ? store.appendToStream(taken, [event(n)], { expectedRevision: 'no_stream' })
          : store.appendToStream(`group-${n}-${randomUUID()}`, [event(n), event(n)], { expectedRevision: 'no_stream' }),
      ),
    );
    expect(outcomes[17]).toMatchObject({ status: 'rejected', reason: { code: 'wrong_expected_revision', actual: 0n } });
    const appended = outcomes.filter((outcome) => outcome.status === 'fulfilled').map((outcome) => outcome.value);
    expect(appended).toHaveLength(39);
    const positions = appended.flatMap((result) => result.events.map((e) => e.position));
    expect(new Set(positions).size).toBe(78);
    expect(appended.every((result) => result.events[1].position === result.events[0].position + 1n)).toBe(true);
  });

  it('answers a retried append, a clashing one, an empty one and a stale one in a group with fresh ones', async () => {
    const retried = `retried-${randomUUID()}`;
    const events = [event(0), event(1)];
    const first = await store.appendToStream(retried, events, { expectedRevision: 'no_stream' });
    const fresh = `fresh-${randomUUID()}`;
    const clashing = `clashing-${randomUUID()}`;
    const empty = `empty-${randomUUID()}`;
    const missing = `missing-${randomUUID()}`;
    // Started in one tick, these form one group.
    const [again, clash, nothing, stale, appended] = await Promise.allSettled([
      store.appendToStream(retried, events, { expectedRevision: 'no_stream' }),
      store.appendToStream(clashing, [events[0]], { expectedRevision: 'no_stream' }),
      store.appendToStream(empty, [], { expectedRevision: 'no_stream' }),
      store.appendToStream(missing, [event(2)], { expectedRevision: 'stream_exists' }),
      store.appendToStream(fresh, [event(3), event(4)], { expectedRevision: 'no_stream' }),
    ]);
    expect(again).toMatchObject({ status: 'fulfilled', value: { alreadyAppended: true, nextExpectedRevision: 1n, events: first.events } });
    expect(clash).toMatchObject({ status: 'rejected', reason: { code: 'event_id_conflict' } });
    expect(nothing).toMatchObject({ status: 'fulfilled', value: { events: [], nextExpectedRevision: -1n, alreadyAppended: false } });
    expect(stale).toMatchObject({ status: 'rejected', reason: { code: 'wrong_expected_revision', actual: -1n } });
    expect(appended).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1n, alreadyAppended: false } });
    // The receipts name where the events really are.
    const [third, fourth] = await store.readStream(fresh);
    const receipt = (appended as PromiseFulfilledResult<Awaited<ReturnType<typeof store.appendToStream>>>).value.events;
    expect(receipt).toEqual([third, fourth].map((e) => ({ eventId: e.eventId, revision: e.revision, position: e.position })));
    expect(await store.readStream(clashing)).toEqual([]);
    expect(await store.readStream(retried)).toHaveLength(2);
  });

  it('applies appends to one stream of one group in order, each at the revision the one before left', async () => {
    const name = `one-stream-${randomUUID()}`;
    const [first, second, stale] = await Promise.allSettled([
      store.appendToStream(name, [event(0)], { expectedRevision: 'no_stream' }),
      store.appendToStream(name, [event(1)], { expectedRevision: 0n }),
      store.appendToStream(name, [event(2)], { expectedRevision: 0n }),
    ]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 0n } });
    expect(second).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1n } });
    expect(stale).toMatchObject({ status: 'rejected', reason: { code: 'wrong_expected_revision', actual: 1n } });
    expect((await store.readStream(name)).map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }]);
  });

  it('settles every append when two processes put the same event ids in different streams at once', async () => {
    const other = new PostgresEventStore({ connectionString: url });
    try {
      for (let round = 0; round < 5; round++) {
        const shared = [event(round)];
        const groups = await Promise.allSettled([
          store.appendToStream(`mine-${randomUUID()}`, [event(1)], { expectedRevision: 'no_stream' }),
          store.appendToStream(`left-${randomUUID()}`, shared, { expectedRevision: 'any' }),
          other.appendToStream(`theirs-${randomUUID()}`, [event(2)], { expectedRevision: 'no_stream' }),
          other.appendToStream(`right-${randomUUID()}`, shared, { expectedRevision: 'any' }),
        ]);
        // The unrelated appends of both groups land; of the two claims on one id, exactly one does.
        expect(groups[0].status).toBe('fulfilled');
        expect(groups[2].status).toBe('fulfilled');
        expect([groups[1].status, groups[3].status].sort()).toEqual(['fulfilled', 'rejected']);
        const loser = (groups[1].status === 'rejected' ? groups[1] : groups[3]) as PromiseRejectedResult;
        expect(loser.reason).toMatchObject({ code: 'event_id_conflict' });
      }
    } finally {
      await other.close();
    }
  });
});

describe('PostgresEventStore: positions committed out of order', () => {
  let url: string;
  let store: PostgresEventStore;
  let writer: Client;

  beforeAll(async () => {
    ({ url, store } = await storeOnFreshLog('gaps', { pollIntervalMs: 20 }));
    writer = new Client({ connectionString: url });
    writer.on('error', () => undefined);
    await writer.connect();
  });
  afterAll(async () => {
    await writer.end();
    await store.close();
  });

  /**
   * What the store sends for a group of one append of one event with expected revision `any`, on
   * a connection of the spec's own, so that it can hold the transaction open: the first position
   * drawn, null if nothing was appended.
   */
  const appendOne = async (client: Client, stream: string, n: number): Promise<string | null> => {
    const group = groupPayload([{ stream, expectedRevision: 'any', events: [{ eventId: randomUUID(), type: 'SomethingHappened', data: { n }, metadata: {} }] }]);
    const { rows } = await client.query<GroupAnswer>(APPEND_GROUP_SQL, [group]);
    expect(rows[0].o_status).toEqual(['appended']);
    return rows[0].o_first;
  };

  it('does not let a later append overtake one that drew an earlier position and has not committed', async () => {
    const start = await store.headPosition();
    const abort = new AbortController();
    const seen: RecordedEvent[] = [];
    const subscriber = (async () => {
      for await (const batch of store.subscribeToAll({ afterPosition: start, signal: abort.signal })) {
        seen.push(...batch);
        if (seen.length >= 2) break;
      }
    })();
    // A writer draws the next position but has not committed yet…
    await writer.query('BEGIN');
    const slowPosition = BigInt((await appendOne(writer, 'slow', 1))!);
    // …while another append starts: it must not become visible first.
    let fastDone = false;
    const fast = store
      .appendToStream(`fast-${randomUUID()}`, [{ eventId: randomUUID(), type: 'SomethingHappened', data: { n: 2 }, metadata: {} }], { expectedRevision: 'no_stream' })
      .finally(() => (fastDone = true));
    await new Promise((done) => setTimeout(done, 200));
    expect(fastDone).toBe(false);
    expect(await store.readAll({ afterPosition: start })).toEqual([]);
    expect(seen).toEqual([]);

    await writer.query('COMMIT');
    const fastPosition = (await fast).events[0].position;
    await subscriber;
    expect(fastPosition).toBeGreaterThan(slowPosition);
    expect(seen.map((e) => e.position)).toEqual([slowPosition, fastPosition]);
  });

  it('passes a gap left by a transaction that rolled back', async () => {
    const start = await store.headPosition();
    await writer.query('BEGIN');
    await appendOne(writer, 'rolled-back', 1);
    await writer.query('ROLLBACK');
    const later = await store.appendToStream(`later-${randomUUID()}`, [{ eventId: randomUUID(), type: 'SomethingHappened', data: {}, metadata: {} }], { expectedRevision: 'no_stream' });
    expect(later.events[0].position).toBeGreaterThan(start + 1n);
    const read = await store.readAll({ afterPosition: start });
    expect(read.map((e) => e.eventId)).toEqual([later.events[0].eventId]);
  });

  it('never lets a subscriber miss an event while many appends commit out of order', async () => {
    const start = await store.headPosition();
    const abort = new AbortController();
    const seen: RecordedEvent[] = [];
    const total = 400;
    const subscriber = (async () => {
      for await (const batch of store.subscribeToAll({ afterPosition: start, maxBatchSize: 50, signal: abort.signal })) {
        seen.push(...batch);
        if (seen.length >= total) break;
      }
    })();
    // Forty writers on their own connections, each with a random pause inside its transaction
    // between drawing a position and committing: the window in which a sequence-only store
    // lets a later position commit first.
    const clients = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const client = new Client({ connectionString: url });
        client.on('error', () => undefined);
        await client.connect();
        return client;
      }),
    );
    await Promise.all(
      clients.map(async (client, w) => {
        for (let n = 0; n < total / clients.length; n++) {
          await client.query('BEGIN');
          await appendOne(client, `writer-${w}`, n);
          await new Promise((done) => setTimeout(done, Math.random() * 5));
          await client.query('COMMIT');
        }
      }),
    );
    await subscriber;
    await Promise.all(clients.map((client) => client.end()));
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((e) => e.eventId)).size).toBe(total);
    const all = await store.readAll({ afterPosition: start, maxCount: 10_000 });
    expect(seen.map((e) => e.position)).toEqual(all.map((e) => e.position));
  });
});
