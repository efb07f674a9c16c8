import { type AuditedHistory, recordAuditedHistory } from '../../../../test/support/audited-history';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)('Auditors page through a stream over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let ids: AuditedHistory['ids'];

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    ({ ids } = await recordAuditedHistory(t));
  });
  afterAll(() => t.close());

  it("pages through one stream's events in revision order", async () => {
    const page = await t.http().get('/audit/streams/country-ES').query({ limit: 1 }).expect(200);
    expect(page.body).toMatchObject({ stream: 'country-ES', nextRevision: '1', events: [expect.objectContaining({ eventId: ids.spain, revision: '0' })] });
    const next = await t.http().get('/audit/streams/country-ES').query({ fromRevision: '1', limit: 1 }).expect(200);
    expect(next.body).toMatchObject({ nextRevision: null, events: [expect.objectContaining({ eventId: ids.fix, previousHash: page.body.events[0].hash })] });
    expect((await t.http().get('/audit/streams/country-XX').expect(404)).body.code).toBe('stream_not_found');
  });
});
