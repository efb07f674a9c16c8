/**
 * EventStoreDB protocol double — TEST-ONLY.
 *
 * An in-process gRPC server speaking the subset of the EventStoreDB v20+ client protocol that
 * `@eventstore/db-client` v6 uses for appendToStream, readStream, readAll and subscribeToAll,
 * plus the server-features handshake. It stores events in memory and is meant for tests that
 * cannot run a real EventStoreDB. It is not a server to use. See README.md in this folder.
 */
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { randomUUID } from 'node:crypto';
import { EventLog } from './event-log';
import { createServerFeaturesService } from './server-features-service';
import { createStreamsService, type ReadSession } from './streams-service';

export interface EventStoreDbDouble {
  connectionString: string; // e.g. 'esdb://127.0.0.1:<port>?tls=false'
  stop(): Promise<void>;
  /** Appends a system event ($-prefixed type, in a $-prefixed stream) like a real server writes, e.g. '$statsCollected' in '$stats-127.0.0.1:2113', or a '$metadata' event. */
  appendSystemEvent(stream?: string, type?: string): void;
  /** Drops every open subscription/stream call with a gRPC UNAVAILABLE error, to simulate a dropped connection. */
  dropSubscriptions(): void;
  /** New reads (of streams and of $all) get no answer until the returned function is called: a server that hangs. */
  holdReads(): () => void;
  /** Rewrites one stored event's data bytes in place (tamper-evidence tests); false if unknown. */
  tamperWith(eventId: string, edit: (data: Uint8Array) => Uint8Array): boolean;
}

const HOST = '127.0.0.1';
/** The node name a real single node on the default port would use in its stats stream names. */
const NODE_ENDPOINT = '127.0.0.1:2113';
const STATS_STREAM = `$stats-${NODE_ENDPOINT}`;

const json = (value: unknown): Uint8Array => Uint8Array.from(Buffer.from(JSON.stringify(value), 'utf8'));

/** The body a real server would give a system event of this type (close enough for tests). */
const systemEventData = (type: string): { contentType: string; data: Uint8Array } => {
  switch (type) {
    case '$metadata':
      return { contentType: 'application/json', data: json({ $maxAge: 86400 }) };
    case '$statsCollected':
      return {
        contentType: 'application/json',
        data: json({ 'proc-startTime': new Date().toISOString(), 'proc-id': process.pid, 'proc-threadsCount': 1 }),
      };
    case '$ProjectionsInitialized':
      return { contentType: 'application/octet-stream', data: new Uint8Array() };
    default:
      return { contentType: 'application/json', data: json({}) };
  }
};

export async function startEventStoreDbDouble(options?: { port?: number }): Promise<EventStoreDbDouble> {
  const log = new EventLog();
  const openReads = new Set<ReadSession>();

  const appendSystemEvent = (stream: string = STATS_STREAM, type: string = '$statsCollected'): void => {
    if (!stream.startsWith('$') || !type.startsWith('$')) {
      throw new Error(`A system event needs a $-prefixed stream and type, got '${type}' in '${stream}'`);
    }
    const { contentType, data } = systemEventData(type);
    log.append(stream, 'any', [{ id: randomUUID(), type, contentType, data, metadata: new Uint8Array() }]);
  };

  // What a freshly started node has written to $all before any client connects.
  appendSystemEvent(`$$${STATS_STREAM}`, '$metadata');
  appendSystemEvent('$projections-$all', '$ProjectionsInitialized');
  appendSystemEvent(STATS_STREAM, '$statsCollected');

  const server = new Server();
  const streams = createStreamsService(log, openReads);
  let heldReads: (() => void)[] | undefined;
  const read = streams.read.bind(streams);
  streams.read = (call) => (heldReads ? heldReads.push(() => read(call)) : read(call));
  server.addService(StreamsService, streams);
  server.addService(ServerFeaturesService, createServerFeaturesService());
  // Every other EventStoreDB service (gossip, operations, users, projections, persistent
  // subscriptions, ...) is not registered, so grpc-js answers UNIMPLEMENTED for it.

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${HOST}:${options?.port ?? 0}`, ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    ),
  );

  const failOpenReads = (details: string): void => {
    for (const session of [...openReads]) session.fail({ code: status.UNAVAILABLE, details });
  };

  let stopped: Promise<void> | undefined;
  return {
    connectionString: `esdb://${HOST}:${port}?tls=false`,
    appendSystemEvent,
    dropSubscriptions: () => failOpenReads('Connection dropped (simulated by the EventStoreDB test double)'),
    holdReads: () => {
      heldReads ??= [];
      return () => {
        const waiting = heldReads ?? [];
        heldReads = undefined;
        for (const answer of waiting) answer();
      };
    },
    tamperWith: (eventId, edit) => log.tamperWith(eventId, edit),
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        failOpenReads('Server is shutting down');
        const force = setTimeout(() => server.forceShutdown(), 1000);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return stopped;
    },
  };
}
