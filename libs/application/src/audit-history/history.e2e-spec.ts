import { spainOpensDoor } from '../../../../test/support/fixtures';
import { type AuditedHistory, recordAuditedHistory } from '../../../../test/support/audited-history';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)('Auditors page through the history over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let ids: AuditedHistory['ids'];
  let start: AuditedHistory['start'];

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    ({ ids, start } = await recordAuditedHistory(t));
  });
  afterAll(() => t.close());

  it('pages through every event in log order, with provenance and hashes', async () => {
    const first = await t.http().get('/audit/events').query({ afterPosition: start, limit: 2 }).expect(200);
    expect(first.body.events.map((event: { type: string }) => event.type)).toEqual(['TopicDefined', 'StanceRecorded']);
    expect(first.body.events[1]).toMatchObject({
      stream: 'country-ES',
      revision: '0',
      eventId: ids.spain,
      schemaVersion: 1,
      data: { headline: spainOpensDoor.headline },
      metadata: { recordedAt: '2026-01-06T18:00:00.000Z', recordedBy: 'analyst@desk', correlationId: 'paris-summit' },
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      previousHash: '0'.repeat(64),
    });
    expect(first.body.events[1].metadata.causationId).toBe(first.body.events[1].metadata.commandId);
    const rest = await t.http().get('/audit/events').query({ afterPosition: first.body.nextAfterPosition, limit: 10 }).expect(200);
    expect(rest.body.events.map((event: { eventId: string }) => event.eventId)).toEqual([ids.italy, ids.fix, ids.retraction]);
    expect(rest.body.nextAfterPosition).toBeNull();
  });

  it('filters by stream, type and recorded time', async () => {
    const byStream = await t.http().get('/audit/events').query({ stream: 'country-ES' }).expect(200);
    expect(byStream.body.events.map((event: { eventId: string }) => event.eventId)).toEqual([ids.spain, ids.fix]);
    const byType = await t.http().get('/audit/events').query({ type: 'StanceRetracted' }).expect(200);
    expect(byType.body.events).toEqual([expect.objectContaining({ eventId: ids.retraction, data: expect.objectContaining({ reason: 'misquoted', recordId: ids.italy }) })]);
    const byTime = await t.http().get('/audit/events').query({ recordedFrom: '2026-01-07T00:00:00Z', recordedTo: '2026-01-07T23:59:59Z' }).expect(200);
    expect(byTime.body.events.map((event: { eventId: string }) => event.eventId)).toEqual([ids.fix, ids.retraction]);
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ afterPosition: '-3' }, 'afterPosition'],
    [{ recordedFrom: '2026-01-07' }, 'recordedFrom'],
    [{ recordedFrom: '2026-01-08T00:00:00Z', recordedTo: '2026-01-07T00:00:00Z' }, 'recordedFrom'],
  ])('rejects %j naming %s', async (query, field) => {
    const response = await t.http().get('/audit/events').query(query).expect(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });
});
