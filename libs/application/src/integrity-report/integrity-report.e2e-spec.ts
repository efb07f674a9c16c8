import { EVENT_STORE } from '@stance-ledger/application';
import { verify } from '@stance-ledger/audit';
import type { EventStore } from '@stance-ledger/event-store';
import { DataSource } from 'typeorm';
import { type AuditedHistory, recordAuditedHistory } from '../../../../test/support/audited-history';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)('Auditors read the last integrity report over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  let dataSource: DataSource;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    store = t.app.get(EVENT_STORE);
    dataSource = t.app.get(DataSource);
    await recordAuditedHistory(t);
  });
  afterAll(() => t.close());

  it('serves the last verification report at /audit/integrity', async () => {
    const report = await verify({ store, dataSource, databaseUrl: t.databaseUrl });
    const served = (await t.http().get('/audit/integrity').expect(200)).body;
    expect(served).toEqual(report);
    // Five stance and topic events, after the four grants of the keys used here.
    expect(served).toMatchObject({ ok: true, log: { eventsChecked: 9, chainsIntact: true } });
  });
});
