/**
 * Proves the EventStoreDB protocol double against the REAL `@eventstore/db-client` (v6).
 */
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import debug from 'debug';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  UnavailableError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult,
  type JSONEventType,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty, StreamIdentifier } from '@eventstore/db-client/generated/shared_pb';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { BatchAppendReq, ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { startEventStoreDbDouble, type EventStoreDbDouble } from './index';

jest.setTimeout(15_000);

type TestEvent = JSONEventType<string, Record<string, unknown>, Record<string, unknown> | undefined>;

const event = (type: string, data: Record<string, unknown> = {}, metadata?: Record<string, unknown>) =>
  jsonEvent<TestEvent>({ id: randomUUID(), type, data, metadata });

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/** Records what a subscription emits. */
function watch(subscription: AllStreamSubscription) {
  const state = {
    received: [] as AllStreamResolvedEvent[],
    errors: [] as Error[],
    confirmed: false,
    caughtUp: false,
    closed: false,
  };
  subscription.on('data', (resolved) => state.received.push(resolved));
  subscription.on('error', (error) => state.errors.push(error));
  subscription.on('confirmation', () => (state.confirmed = true));
  subscription.on('caughtUp', () => (state.caughtUp = true));
  subscription.on('close', () => (state.closed = true));
  return state;
}

const ids = (events: ResolvedEvent[]) => events.map((resolved) => resolved.event?.id);
const positionsOf = (events: ResolvedEvent[]) => events.map((resolved) => resolved.event?.position as Position);

function expectStrictlyIncreasing(positions: Position[]) {
  for (let i = 1; i < positions.length; i++) {
    expect((positions[i] as Position).commit).toBeGreaterThan((positions[i - 1] as Position).commit);
  }
}

describe('EventStoreDB double', () => {
  let double: EventStoreDbDouble;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    double = await startEventStoreDbDouble();
    client = EventStoreDBClient.connectionString(double.connectionString);
  });

  afterAll(async () => {
    await client.dispose();
    await double.stop();
  });

  describe('connection handshake', () => {
    it('advertises only what it implements: Read and Append, not BatchAppend', async () => {
      const raw = new ServerFeaturesClient(
        double.connectionString.replace(/^esdb:\/\/|\?.*$/g, ''),
        credentials.createInsecure(),
      );
      try {
        const supported = await new Promise<SupportedMethods>((resolve, reject) =>
          raw.getSupportedMethods(new Empty(), (error, response) => (error ? reject(error) : resolve(response))),
        );
        const paths = supported.getMethodsList().map((m) => `/${m.getServiceName()}/${m.getMethodName()}`);
        expect(paths).toEqual(
          expect.arrayContaining([
            '/event_store.client.streams.streams/read',
            '/event_store.client.streams.streams/append',
          ]),
        );
        expect(paths).not.toContain('/event_store.client.streams.streams/batchappend');
        expect(supported.getEventStoreServerVersion()).toMatch(/^\d+\.\d+\.\d+$/);
      } finally {
        raw.close();
      }
    });

    it('lets the real client discover the server features and fall back from BatchAppend to Append', async () => {
      const lines: string[] = [];
      const previousNamespaces = debug.disable();
      const previousLog = debug.log;
      debug.log = (...args: unknown[]) => void lines.push(format(...args));
      debug.enable('esdb:connection');
      const fresh = EventStoreDBClient.connectionString(double.connectionString);
      try {
        const result = await fresh.appendToStream(`handshake-${randomUUID()}`, event('Probed'));
        expect(result.success).toBe(true);
      } finally {
        debug.log = previousLog;
        debug.disable();
        if (previousNamespaces) debug.enable(previousNamespaces);
        await fresh.dispose();
      }
      expect(lines.some((line) => line.includes('Connected to server version 23.10.0'))).toBe(true);
      expect(
        lines.some(
          (line) =>
            line.includes('/event_store.client.streams.streams/batchappend') && line.includes('is not Supported'),
        ),
      ).toBe(true);
    });
  });

  describe('appendToStream', () => {
    it('appends with NO_STREAM, a revision, STREAM_EXISTS and ANY', async () => {
      const stream = `country-${randomUUID()}`;
      const first = await client.appendToStream(stream, event('Created'), { expectedRevision: NO_STREAM });
      expect(first).toMatchObject({ success: true, nextExpectedRevision: 0n });
      expect(first.position?.commit).toBeGreaterThan(0n);
      expect(first.position?.commit).toBe(first.position?.prepare);

      const second = await client.appendToStream(stream, event('Changed'), { expectedRevision: 0n });
      expect(second.nextExpectedRevision).toBe(1n);
      expect(second.position?.commit).toBeGreaterThan(first.position?.commit as bigint);

      const third = await client.appendToStream(stream, event('Changed'), { expectedRevision: STREAM_EXISTS });
      expect(third.nextExpectedRevision).toBe(2n);
      const fourth = await client.appendToStream(stream, event('Changed'), { expectedRevision: ANY });
      expect(fourth.nextExpectedRevision).toBe(3n);

      const fresh = await client.appendToStream(`country-${randomUUID()}`, event('Created'), { expectedRevision: ANY });
      expect(fresh.nextExpectedRevision).toBe(0n);
    });

    it('reports wrong expected versions with the actual and expected versions', async () => {
      const stream = `country-${randomUUID()}`;
      const missing = `country-${randomUUID()}`;
      await client.appendToStream(stream, [event('A'), event('B')], { expectedRevision: NO_STREAM });

      const cases: Array<[string, Parameters<EventStoreDBClient['appendToStream']>[2], unknown, unknown]> = [
        [stream, { expectedRevision: NO_STREAM }, 1n, 'no_stream'],
        [stream, { expectedRevision: 0n }, 1n, 0n],
        [stream, { expectedRevision: 5n }, 1n, 5n],
        [missing, { expectedRevision: STREAM_EXISTS }, 'no_stream', 'stream_exists'],
        [missing, { expectedRevision: 0n }, 'no_stream', 0n],
      ];
      for (const [name, options, actualVersion, expectedVersion] of cases) {
        const error = await rejection(client.appendToStream(name, event('Late'), options));
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ streamName: name, actualVersion, expectedVersion });
      }
      const events = await collect(client.readStream(stream));
      expect(events.map((resolved) => resolved.event?.type)).toEqual(['A', 'B']);
    });

    it('reports a failed append as a result when throwOnAppendFailure=false', async () => {
      const lenient = EventStoreDBClient.connectionString(`${double.connectionString}&throwOnAppendFailure=false`);
      try {
        const stream = `country-${randomUUID()}`;
        await lenient.appendToStream(stream, [event('A'), event('B')], { expectedRevision: NO_STREAM });
        const result = await lenient.appendToStream(stream, event('C'), { expectedRevision: 0n });
        expect(result).toEqual({ success: false, nextExpectedRevision: 1n, position: undefined });
      } finally {
        await lenient.dispose();
      }
    });

    it('gives every event of a multi-event append its own position and returns the last one', async () => {
      const stream = `topic-${randomUUID()}`;
      const result = await client.appendToStream(stream, [event('A'), event('B'), event('C')], {
        expectedRevision: NO_STREAM,
      });
      expect(result.nextExpectedRevision).toBe(2n);
      const events = await collect(client.readStream(stream));
      const positions = positionsOf(events);
      expectStrictlyIncreasing(positions);
      positions.forEach((position) => expect(position.commit).toBe(position.prepare));
      expect(positions[2]).toEqual(result.position);
    });

    it('is idempotent for a re-append at the same expected revision, not for a duplicate with ANY', async () => {
      const stream = `country-${randomUUID()}`;
      const [e1, e2, e3, other] = [event('A'), event('B'), event('C'), event('D')];

      // A real server answers an idempotent write with the original revision and no position.
      const original = await client.appendToStream(stream, [e1, e2], { expectedRevision: NO_STREAM });
      const retried = await client.appendToStream(stream, [e1, e2], { expectedRevision: NO_STREAM });
      expect(original.position).toBeDefined();
      expect(retried).toEqual({ ...original, position: undefined });

      const third = await client.appendToStream(stream, e3, { expectedRevision: 1n });
      expect(await client.appendToStream(stream, e3, { expectedRevision: 1n })).toEqual({ ...third, position: undefined });
      // Still the original revision, even after the stream moved on.
      expect(await client.appendToStream(stream, [e1, e2], { expectedRevision: NO_STREAM })).toEqual({ ...original, position: undefined });

      // Ids that only partly match, or sit at another revision, are a conflict, not a retry.
      const partly = await rejection(client.appendToStream(stream, [e1, other], { expectedRevision: NO_STREAM }));
      expect(partly).toMatchObject({ actualVersion: 2n, expectedVersion: 'no_stream' });
      const shifted = await rejection(client.appendToStream(stream, e2, { expectedRevision: NO_STREAM }));
      expect(shifted).toBeInstanceOf(WrongExpectedVersionError);

      const duplicate: AppendResult = await client.appendToStream(stream, e3, { expectedRevision: ANY });
      expect(duplicate.nextExpectedRevision).toBe(3n);
      expect(duplicate.position?.commit).toBeGreaterThan(third.position?.commit as bigint);

      const events = await collect(client.readStream(stream));
      expect(ids(events)).toEqual([e1.id, e2.id, e3.id, e3.id]);
    });

    it('rejects an append over the default maximum append size of 1 MiB', async () => {
      const error = await rejection(
        client.appendToStream(`topic-${randomUUID()}`, event('Huge', { blob: 'x'.repeat(1024 * 1024 + 1) })),
      );
      expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
      expect(error).toMatchObject({ maxAppendSize: 1024 * 1024 });
    });
  });

  describe('readStream', () => {
    const stream = `country-${randomUUID()}`;
    const appended = [0, 1, 2, 3].map((n) => event(`Happened${n}`, { n }, { correlationId: `c-${n}` }));
    let before: number;

    beforeAll(async () => {
      before = Date.now();
      await client.appendToStream(stream, appended, { expectedRevision: NO_STREAM });
    });

    it('reads forwards from the start with every field of the event', async () => {
      const events = await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: START }));
      expect(ids(events)).toEqual(appended.map((e) => e.id));
      const first = events[0]?.event;
      expect(first).toMatchObject({
        streamId: stream,
        revision: 0n,
        type: 'Happened0',
        data: { n: 0 },
        metadata: { correlationId: 'c-0' },
        isJson: true,
      });
      expect(first?.created.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(first?.created.getTime()).toBeLessThanOrEqual(Date.now());
    });

    it('reads backwards from the end, from a revision, and honours maxCount', async () => {
      const revisions = (events: ResolvedEvent[]) => events.map((resolved) => resolved.event?.revision);
      expect(revisions(await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END })))).toEqual([
        3n,
        2n,
        1n,
        0n,
      ]);
      expect(
        revisions(await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: 1n, maxCount: 2 }))),
      ).toEqual([1n, 2n]);
      expect(revisions(await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: 1n })))).toEqual([
        1n,
        0n,
      ]);
      expect(revisions(await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: 9n })))).toEqual(
        [],
      );
    });

    it('turns a stream that does not exist into StreamNotFoundError', async () => {
      const missing = `country-${randomUUID()}`;
      const error = await rejection(collect(client.readStream(missing)));
      expect(error).toBeInstanceOf(StreamNotFoundError);
      expect(error).toMatchObject({ streamName: missing });
    });
  });

  describe('unimplemented RPCs', () => {
    it('answers UNIMPLEMENTED for BatchAppend, Delete and stream subscriptions', async () => {
      const address = double.connectionString.replace(/^esdb:\/\/|\?.*$/g, '');
      const raw = new StreamsClient(address, credentials.createInsecure());
      try {
        const batchError = await new Promise<ServiceError>((resolve) => {
          const call = raw.batchAppend();
          call.on('error', resolve);
          call.on('data', () => undefined);
          call.write(new BatchAppendReq());
        });
        expect(batchError.code).toBe(status.UNIMPLEMENTED);
      } finally {
        raw.close();
      }

      expect(await rejection(client.deleteStream(`country-${randomUUID()}`))).toMatchObject({
        code: status.UNIMPLEMENTED,
      });

      const subscription = client.subscribeToStream(`country-${randomUUID()}`);
      const error = await new Promise<Error>((resolve) => subscription.on('error', resolve));
      expect(error).toMatchObject({ code: status.UNIMPLEMENTED });
    });
  });
});

describe('EventStoreDB double: $all', () => {
  let double: EventStoreDbDouble;
  let client: EventStoreDBClient;
  const subscriptions: AllStreamSubscription[] = [];

  beforeEach(async () => {
    double = await startEventStoreDbDouble();
    client = EventStoreDBClient.connectionString(double.connectionString);
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.unsubscribe()));
    await client.dispose();
    await double.stop();
  });

  const subscribe = (...args: Parameters<EventStoreDBClient['subscribeToAll']>) => {
    const subscription = client.subscribeToAll(...args);
    subscriptions.push(subscription);
    return subscription;
  };

  /** Appends a fixed history; returns the appended events in log order. */
  async function seed() {
    const fr = [event('CountryJoined', { code: 'FR' }), event('StanceRecorded', { stance: 'open' })];
    const climate = event('TopicDefined', { title: 'Climate' });
    const other = event('Unrelated');
    const de = event('CountryJoined', { code: 'DE' });
    await client.appendToStream('country-FR', fr, { expectedRevision: NO_STREAM });
    const climateResult = await client.appendToStream('topic-climate', climate, { expectedRevision: NO_STREAM });
    await client.appendToStream('other-x', other, { expectedRevision: NO_STREAM });
    double.appendSystemEvent();
    await client.appendToStream('country-DE', de, { expectedRevision: NO_STREAM });
    return { fr, climate, climateResult, other, de };
  }

  describe('readAll', () => {
    it('returns system events too, in log order, with strictly increasing positions', async () => {
      const { fr, climate, other, de } = await seed();
      const events = await collect(client.readAll({ fromPosition: START, direction: FORWARDS }));

      // What the double wrote at start-up, like a fresh node, comes first.
      expect(events.slice(0, 3).map((resolved) => [resolved.event?.streamId, resolved.event?.type])).toEqual([
        ['$$$stats-127.0.0.1:2113', '$metadata'],
        ['$projections-$all', '$ProjectionsInitialized'],
        ['$stats-127.0.0.1:2113', '$statsCollected'],
      ]);
      // A reader of $all has to skip system events itself.
      const userEvents = events.filter((resolved) => !resolved.event?.type.startsWith('$'));
      expect(ids(userEvents)).toEqual([...fr, climate, other, de].map((e) => e.id));
      expect(events.filter((resolved) => resolved.event?.streamId.startsWith('$'))).toHaveLength(4);

      const positions = positionsOf(events);
      expect(positions[0]?.commit).toBeGreaterThan(0n);
      expectStrictlyIncreasing(positions);
      for (const resolved of events) {
        expect(resolved.event?.position?.commit).toBe(resolved.event?.position?.prepare);
        expect(resolved.commitPosition).toBe(resolved.event?.position?.commit);
      }
    });

    it('reads backwards from the end, forwards from a position (inclusive), backwards from it (exclusive)', async () => {
      const { climate, climateResult } = await seed();
      const forwards = await collect(client.readAll({ fromPosition: START, direction: FORWARDS }));
      const backwards = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS }));
      expect(ids(backwards)).toEqual(ids(forwards).reverse());

      const at = climateResult.position as Position;
      const fromHere = await collect(client.readAll({ fromPosition: at, direction: FORWARDS, maxCount: 2 }));
      expect(fromHere[0]?.event?.id).toBe(climate.id);
      expect(fromHere).toHaveLength(2);
      const beforeHere = await collect(client.readAll({ fromPosition: at, direction: BACKWARDS, maxCount: 1 }));
      const climateIndex = forwards.findIndex((resolved) => resolved.event?.id === climate.id);
      expect(beforeHere[0]?.event?.id).toBe(forwards[climateIndex - 1]?.event?.id);

      expect(await collect(client.readAll({ fromPosition: END, direction: FORWARDS }))).toEqual([]);
      expect(await collect(client.readAll({ fromPosition: START, direction: BACKWARDS }))).toEqual([]);
    });

    it('appends system events on demand and refuses non-system ones', async () => {
      double.appendSystemEvent('$$country-FR', '$metadata');
      const [last] = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
      expect(last?.event).toMatchObject({ streamId: '$$country-FR', type: '$metadata', data: { $maxAge: 86400 } });
      expect(() => double.appendSystemEvent('country-FR', '$metadata')).toThrow();
      expect(() => double.appendSystemEvent('$stats-x', 'Stats')).toThrow();
    });

    it('honours a server-side filter in a read request', async () => {
      await seed();
      const address = double.connectionString.replace(/^esdb:\/\/|\?.*$/g, '');
      const raw = new StreamsClient(address, credentials.createInsecure());
      try {
        const options = new ReadReq.Options()
          .setAll(new ReadReq.Options.AllOptions().setStart(new Empty()))
          .setReadDirection(ReadReq.Options.ReadDirection.FORWARDS)
          .setCount('100')
          .setUuidOption(new ReadReq.Options.UUIDOption().setString(new Empty()))
          .setFilter(
            new ReadReq.Options.FilterOptions()
              .setEventType(new ReadReq.Options.FilterOptions.Expression().setPrefixList(['Country']))
              .setCount(new Empty()),
          );
        const call = raw.read(new ReadReq().setOptions(options), new Metadata());
        const responses = await collect<ReadResp>(call);
        const streams = responses.map((r) =>
          Buffer.from(
            (r.getEvent()?.getEvent()?.getStreamIdentifier() as StreamIdentifier).getStreamName_asU8(),
          ).toString(),
        );
        expect(streams).toEqual(['country-FR', 'country-DE']);
      } finally {
        raw.close();
      }
    });
  });

  describe('subscribeToAll', () => {
    const filter = () => streamNameFilter({ prefixes: ['country-', 'topic-'] });

    it('delivers filtered history from START, then live events, exactly once and in order', async () => {
      const { fr, climate, de } = await seed();
      const subscription = subscribe({ fromPosition: START, filter: filter() });
      const state = watch(subscription);

      await waitFor(() => state.caughtUp, 'caughtUp');
      expect(state.confirmed).toBe(true);
      expect(ids(state.received)).toEqual([...fr, climate, de].map((e) => e.id));

      const liveTopic = event('TopicRenamed');
      const liveCountry = event('StanceRecorded');
      await client.appendToStream('topic-climate', liveTopic, { expectedRevision: 0n });
      await client.appendToStream('other-y', event('Unrelated'));
      double.appendSystemEvent();
      await client.appendToStream('country-FR', liveCountry, { expectedRevision: 1n });

      const expected = [...fr, climate, de, liveTopic, liveCountry].map((e) => e.id);
      await waitFor(() => state.received.length >= expected.length, 'live events');
      await settle();
      expect(ids(state.received)).toEqual(expected);
      expectStrictlyIncreasing(positionsOf(state.received));
      for (const resolved of state.received) expect(resolved.commitPosition).toBe(resolved.event?.position?.commit);
      expect(state.errors).toEqual([]);
    });

    it('starts after the given position (exclusive)', async () => {
      const { climateResult, de } = await seed();
      const subscription = subscribe({ fromPosition: climateResult.position as Position, filter: filter() });
      const state = watch(subscription);
      await waitFor(() => state.caughtUp, 'caughtUp');
      expect(ids(state.received)).toEqual([de.id]);

      const live = event('CountryJoined', { code: 'IT' });
      await client.appendToStream('country-IT', live, { expectedRevision: NO_STREAM });
      await waitFor(() => state.received.length === 2, 'the live event');
      await settle();
      expect(ids(state.received)).toEqual([de.id, live.id]);
    });

    it('from END delivers only events appended afterwards', async () => {
      await seed();
      const state = watch(subscribe({ fromPosition: END, filter: filter() }));
      await waitFor(() => state.caughtUp, 'caughtUp');
      expect(state.received).toEqual([]);
      const live = event('CountryJoined', { code: 'ES' });
      await client.appendToStream('country-ES', live);
      await waitFor(() => state.received.length === 1, 'the live event');
      expect(ids(state.received)).toEqual([live.id]);
    });

    it('sends checkpoints for a filtered subscription', async () => {
      await seed();
      const checkpoints: Position[] = [];
      const state = watch(
        subscribe({
          fromPosition: START,
          filter: streamNameFilter({
            prefixes: ['topic-'],
            maxSearchWindow: 2,
            checkpointInterval: 1,
            checkpointReached: (_subscription, position) => void checkpoints.push(position),
          }),
        }),
      );
      await waitFor(() => state.caughtUp, 'caughtUp');
      const all = await collect(client.readAll({ fromPosition: START, direction: FORWARDS }));
      // One checkpoint per two events looked at, at the position of the second.
      expect(checkpoints).toEqual(positionsOf(all).filter((_, index) => index % 2 === 1));
      expect(state.received.map((resolved) => resolved.event?.streamId)).toEqual(['topic-climate']);
    });

    it('errors with UnavailableError when the double drops the connection, and the client recovers', async () => {
      await seed();
      const state = watch(subscribe({ fromPosition: START, filter: filter() }));
      await waitFor(() => state.caughtUp, 'caughtUp');

      double.dropSubscriptions();
      await waitFor(() => state.errors.length > 0, 'the subscription error');
      expect(state.errors[0]).toBeInstanceOf(UnavailableError);

      // The client reconnects on its next call.
      const after = event('CountryJoined', { code: 'PL' });
      await client.appendToStream('country-PL', after, { expectedRevision: NO_STREAM });
      const again = watch(subscribe({ fromPosition: START, filter: filter() }));
      await waitFor(() => again.received.some((resolved) => resolved.event?.id === after.id), 'resubscription');
      expect(again.errors).toEqual([]);
    });

    it('round-trips unicode and a ~512 KiB payload through append, reads and a subscription', async () => {
      const state = watch(subscribe({ fromPosition: START, filter: filter() }));
      const text = 'Côte d’Ivoire — 日本語 — Ελληνικά — 🌍🇫🇷';
      const blob = '€'.repeat((512 * 1024) / 3);
      const big = event('StanceRecorded', { text, blob }, { note: text });
      const stream = `country-${text}`;
      await client.appendToStream(stream, big, { expectedRevision: NO_STREAM });

      const [fromStream] = await collect(client.readStream(stream));
      expect(fromStream?.event).toMatchObject({ streamId: stream, data: { text, blob }, metadata: { note: text } });
      const [fromAll] = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
      expect(fromAll?.event).toMatchObject({ streamId: stream, data: { text, blob } });
      await waitFor(() => state.received.length === 1, 'the big event');
      expect(state.received[0]?.event).toMatchObject({
        streamId: stream,
        data: { text, blob },
        metadata: { note: text },
      });
      expect(Buffer.byteLength(JSON.stringify({ text, blob }))).toBeGreaterThan(500 * 1024);
    });

    it('ends open calls when the client is disposed', async () => {
      await seed();
      const state = watch(subscribe({ fromPosition: START, filter: filter() }));
      await waitFor(() => state.caughtUp, 'caughtUp');
      subscriptions.splice(0);

      await expect(client.dispose()).resolves.toBeUndefined();
      // The v6 client cancels the call and the subscription just ends (no error).
      await waitFor(() => state.closed, 'the subscription to close');
      // The double no longer feeds the cancelled subscription.
      const other = EventStoreDBClient.connectionString(double.connectionString);
      try {
        await other.appendToStream('country-NL', event('CountryJoined'), { expectedRevision: NO_STREAM });
        const [last] = await collect(other.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
        expect(last?.event?.streamId).toBe('country-NL');
      } finally {
        await other.dispose();
      }
      await settle();
      expect(state.received).toHaveLength(4);
      expect(state.errors).toEqual([]);
    });
  });
});
