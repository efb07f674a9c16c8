import { Registry } from 'prom-client';

/**
 * The process's metrics, served at `GET /metrics`. One registry per application instance, not
 * prom-client's global one, so that two apps in one process (tests, the bench) count apart.
 * Every metric is named `stance_ledger_*` and registered on `registry`.
 */
export class Metrics {
  readonly registry = new Registry();
}
