import { randomUUID } from 'node:crypto';
import {
  type EventStore,
  type EventToAppend,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store';

/**
 * The behaviour every adapter of the EventStore port must show. Each adapter's spec calls
 * this with a factory that returns a store on a fresh, empty log.
 */
export function describeEventStoreContract(adapter: string, createStore: () => Promise<EventStore>): void {
  describe(`EventStore contract: ${adapter}`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await createStore();
    });
    afterAll(async () => {
      await store.close();
    });

    const stream = () => `contract-${randomUUID()}`;
    const event = (n: number, extra: Partial<EventToAppend> = {}): EventToAppend => ({
      eventId: randomUUID(),
      type: 'SomethingHappened',
      data: { n },
      metadata: { schemaVersion: 1, recordedBy: 'contract' },
      ...extra,
    });

    describe('append', () => {
      it('creates a stream with no_stream, numbering revisions from 0', async () => {
        const name = stream();
        const result = await store.appendToStream(name, [event(1), event(2)], { expectedRevision: 'no_stream' });
        expect(result.events.map((e) => e.revision)).toEqual([0n, 1n]);
        expect(result.nextExpectedRevision).toBe(1n);
        expect(result.alreadyAppended).toBe(false);
        expect(result.events[1].position).toBeGreaterThan(result.events[0].position);
      });

      it('refuses no_stream when the stream exists, naming its actual revision', async () => {
        const name = stream();
        await store.appendToStream(name, [event(1)], { expectedRevision: 'no_stream' });
        const failure = store.appendToStream(name, [event(2)], { expectedRevision: 'no_stream' });
        await expect(failure).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(failure).rejects.toMatchObject({ stream: name, actual: 0n });
      });

      it('appends at the exact revision and refuses a stale one', async () => {
        const name = stream();
        await store.appendToStream(name, [event(1)], { expectedRevision: 'no_stream' });
        const next = await store.appendToStream(name, [event(2)], { expectedRevision: 0n });
        expect(next.events[0].revision).toBe(1n);
        await expect(store.appendToStream(name, [event(3)], { expectedRevision: 0n })).rejects.toMatchObject({
          actual: 1n,
          expected: 0n,
        });
        await expect(store.appendToStream(stream(), [event(3)], { expectedRevision: 0n })).rejects.toMatchObject({
          actual: -1n,
        });
      });

      it('appends with any, whether or not the stream exists', async () => {
        const name = stream();
        expect((await store.appendToStream(name, [event(1)], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0n);
        expect((await store.appendToStream(name, [event(2)], { expectedRevision: 'any' })).nextExpectedRevision).toBe(1n);
      });

      it('appends with stream_exists only to an existing stream', async () => {
        const name = stream();
        await expect(store.appendToStream(name, [event(1)], { expectedRevision: 'stream_exists' })).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
        await store.appendToStream(name, [event(1)], { expectedRevision: 'no_stream' });
        expect((await store.appendToStream(name, [event(2)], { expectedRevision: 'stream_exists' })).nextExpectedRevision).toBe(1n);
      });

      it('appends a batch that was already appended only once, returning the first result', async () => {
        const name = stream();
        const batch = [event(1), event(2)];
        const first = await store.appendToStream(name, batch, { expectedRevision: 'no_stream' });
        const again = await store.appendToStream(name, batch, { expectedRevision: 'no_stream' });
        expect(again.alreadyAppended).toBe(true);
        expect(again.events).toEqual(first.events);
        expect(await store.readStream(name)).toHaveLength(2);
      });

      it('lets exactly one of many writers at the same expected revision win', async () => {
        const name = stream();
        await store.appendToStream(name, [event(0)], { expectedRevision: 'no_stream' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, n) => store.appendToStream(name, [event(n + 1)], { expectedRevision: 0n })),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(losers).toHaveLength(9);
        for (const loser of losers) expect(loser.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(name)).toHaveLength(2);
      });

      it('keeps every event of concurrent writers with any, each at its own revision', async () => {
        const name = stream();
        await Promise.all(Array.from({ length: 20 }, (_, n) => store.appendToStream(name, [event(n)], { expectedRevision: 'any' })));
        const events = await store.readStream(name);
        expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, n) => BigInt(n)));
        expect(new Set(events.map((e) => (e.data as { n: number }).n)).size).toBe(20);
      });

      it('stores unicode and large payloads as given', async () => {
        const name = stream();
        const data = {
          quote: '«Si lo hemos hecho en otras regiones, ¿por qué no en Europa?» — Педро Санчес, 佩德罗·桑切斯 🇪🇸',
          long: 'x'.repeat(512 * 1024),
        };
        await store.appendToStream(name, [event(1, { data })], { expectedRevision: 'no_stream' });
        const [read] = await store.readStream(name);
        expect(read.data).toEqual(data);
      });
    });

    describe('append in order (imports)', () => {
      it('appends events of several streams in the order given, each at its stated revision', async () => {
        const [a, b] = [stream(), stream()];
        const before = await store.headPosition();
        const placed = [
          { ...event(1), stream: a, revision: 0n },
          { ...event(2), stream: b, revision: 0n },
          { ...event(3), stream: a, revision: 1n },
          { ...event(4), stream: b, revision: 1n },
          { ...event(5), stream: b, revision: 2n },
        ];
        await store.appendInOrder(placed);
        const ours = (await store.readAll({ afterPosition: before, maxCount: 100 })).filter((e) => e.stream === a || e.stream === b);
        expect(ours.map((e) => [e.eventId, e.stream, e.revision])).toEqual(placed.map((e) => [e.eventId, e.stream, e.revision]));
        await store.appendInOrder([{ ...event(6), stream: a, revision: 2n }]);
        expect((await store.readStream(a)).map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      });

      it('refuses an event that is not at the next revision of its stream', async () => {
        const name = stream();
        await store.appendToStream(name, [event(1)], { expectedRevision: 'no_stream' });
        await expect(store.appendInOrder([{ ...event(2), stream: name, revision: 3n }])).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.appendInOrder([{ ...event(2), stream: stream(), revision: 1n }])).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(name)).toHaveLength(1);
      });
    });

    describe('read', () => {
      let name: string;
      let appended: EventToAppend[];
      beforeAll(async () => {
        name = stream();
        appended = Array.from({ length: 5 }, (_, n) => event(n));
        await store.appendToStream(name, appended, { expectedRevision: 'no_stream' });
      });

      it('reads a stream forwards with ids, types, data and metadata', async () => {
        const events = await store.readStream(name);
        expect(events.map((e) => e.eventId)).toEqual(appended.map((e) => e.eventId));
        expect(events[2]).toMatchObject({ stream: name, revision: 2n, type: 'SomethingHappened', data: { n: 2 }, metadata: appended[2].metadata });
      });

      it('reads a stream forwards from a revision, a bounded number', async () => {
        const events = await store.readStream(name, { fromRevision: 1n, maxCount: 2 });
        expect(events.map((e) => e.revision)).toEqual([1n, 2n]);
      });

      it('reads a stream backwards', async () => {
        expect((await store.readStream(name, { direction: 'backwards' })).map((e) => e.revision)).toEqual([4n, 3n, 2n, 1n, 0n]);
        expect((await store.readStream(name, { direction: 'backwards', fromRevision: 2n, maxCount: 2 })).map((e) => e.revision)).toEqual([2n, 1n]);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(stream())).toEqual([]);
      });

      it('finds an event of a stream by its id, and only in that stream', async () => {
        const found = await store.findEvent(name, appended[3].eventId);
        expect(found).toMatchObject({ eventId: appended[3].eventId, stream: name, revision: 3n, data: { n: 3 } });
        expect(await store.findEvent(name, randomUUID())).toBeUndefined();
        expect(await store.findEvent(stream(), appended[3].eventId)).toBeUndefined();
      });

      it('reads the global log after a position, in position order', async () => {
        const [first] = await store.readStream(name);
        const after = await store.readAll({ afterPosition: first.position, maxCount: 4 });
        expect(after).toHaveLength(4);
        expect(after.map((e) => e.eventId)).toEqual(appended.slice(1).map((e) => e.eventId).slice(0, after.length));
        const positions = after.map((e) => e.position);
        expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
        expect(positions[0]).toBeGreaterThan(first.position);
      });

      it('reports the head position of the log', async () => {
        const last = (await store.readStream(name, { direction: 'backwards', maxCount: 1 }))[0];
        expect(await store.headPosition()).toBeGreaterThanOrEqual(last.position);
      });
    });

    describe('subscribe', () => {
      async function collect(after: bigint, until: (events: RecordedEvent[]) => boolean, signal: AbortController) {
        const seen: RecordedEvent[] = [];
        for await (const batch of store.subscribeToAll({ afterPosition: after, maxBatchSize: 7, signal: signal.signal })) {
          seen.push(...batch);
          if (until(seen)) break;
        }
        return seen;
      }

      it('delivers every event after the start, exactly once and in order, including live ones from concurrent writers', async () => {
        const start = await store.headPosition();
        const ids = new Set<string>();
        const abort = new AbortController();
        const streams = Array.from({ length: 8 }, () => stream());
        const writers = Promise.all(
          streams.map(async (name) => {
            for (let n = 0; n < 15; n++) await store.appendToStream(name, [event(n)], { expectedRevision: 'any' });
          }),
        );
        const seen = await collect(
          start,
          (events) => events.filter((e) => streams.includes(e.stream)).length >= 120,
          abort,
        );
        abort.abort();
        await writers;
        const ours = seen.filter((e) => streams.includes(e.stream));
        for (const e of ours) ids.add(e.eventId);
        expect(ids.size).toBe(120);
        expect(ours).toHaveLength(120);
        const positions = seen.map((e) => e.position);
        expect(positions.every((p, i) => i === 0 || p > positions[i - 1])).toBe(true);
        for (const name of streams) {
          expect(ours.filter((e) => e.stream === name).map((e) => (e.data as { n: number }).n)).toEqual(
            Array.from({ length: 15 }, (_, n) => n),
          );
        }
      });

      it('resumes after a resubscribe from the last position seen, neither missing nor repeating', async () => {
        const name = stream();
        const start = await store.headPosition();
        await store.appendToStream(name, Array.from({ length: 10 }, (_, n) => event(n)), { expectedRevision: 'no_stream' });
        const first = await collect(start, (events) => events.filter((e) => e.stream === name).length >= 4, new AbortController());
        const resumeFrom = first[first.length - 1].position;
        await store.appendToStream(name, Array.from({ length: 5 }, (_, n) => event(10 + n)), { expectedRevision: 9n });
        const rest = await collect(resumeFrom, (events) => events.some((e) => e.stream === name && (e.data as { n: number }).n === 14), new AbortController());
        const ns = [...first, ...rest].filter((e) => e.stream === name).map((e) => (e.data as { n: number }).n);
        expect(ns).toEqual(Array.from({ length: 15 }, (_, n) => n));
      });
    });
  });
}
