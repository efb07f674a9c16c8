/**
 * Connection handshake of the EventStoreDB protocol double (test-only).
 *
 * `@eventstore/db-client` v6 calls `ServerFeatures.GetSupportedMethods` lazily, the first time it
 * has to choose between implementations (for streams: on the first `appendToStream`, to decide
 * between `BatchAppend` and `Append`). It lower-cases `/<service>/<method>` of every advertised
 * method and checks membership; an UNIMPLEMENTED answer is accepted too (then nothing counts as
 * supported). The double answers like a real server (v21+) does — lower-cased names, the
 * `position`/`events` features on `Read` — but advertises ONLY what it implements, so the client
 * never tries `BatchAppend` and appends with the plain client-streaming `Append`.
 */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { IServerFeaturesServer } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import type { Empty } from '@eventstore/db-client/generated/shared_pb';

/** The server version reported: the first LTS whose subscriptions send `caughtUp`. */
export const REPORTED_SERVER_VERSION = '23.10.0';

const ADVERTISED: ReadonlyArray<{ service: string; method: string; features?: string[] }> = [
  { service: 'event_store.client.streams.streams', method: 'read', features: ['position', 'events'] },
  { service: 'event_store.client.streams.streams', method: 'append' },
  { service: 'event_store.client.server_features.serverfeatures', method: 'getsupportedmethods' },
];

export function createServerFeaturesService(): IServerFeaturesServer {
  return {
    getSupportedMethods(_call: ServerUnaryCall<Empty, SupportedMethods>, callback: sendUnaryData<SupportedMethods>) {
      const methods = ADVERTISED.map(({ service, method, features }) =>
        new SupportedMethod()
          .setServiceName(service)
          .setMethodName(method)
          .setFeaturesList(features ?? []),
      );
      callback(
        null,
        new SupportedMethods().setEventStoreServerVersion(REPORTED_SERVER_VERSION).setMethodsList(methods),
      );
    },
  };
}
