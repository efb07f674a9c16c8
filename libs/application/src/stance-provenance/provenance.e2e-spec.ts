import { randomUUID } from 'node:crypto';
import { type AuditedHistory, recordAuditedHistory } from '../../../../test/support/audited-history';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)("Auditors read a record's provenance over HTTP (log on %s)", (eventStore) => {
  let t: TestApp;
  let ids: AuditedHistory['ids'];

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    ({ ids } = await recordAuditedHistory(t));
  });
  afterAll(() => t.close());

  it('gives the provenance of a stance record: the record, its corrections and retraction, and the rows they produced', async () => {
    const spain = (await t.http().get(`/audit/stances/${ids.spain}`).expect(200)).body;
    expect(spain.record).toMatchObject({ eventId: ids.spain, type: 'StanceRecorded' });
    expect(spain.corrections).toEqual([expect.objectContaining({ eventId: ids.fix, data: expect.objectContaining({ reason: 'full interview' }) })]);
    expect(spain.retraction).toBeNull();
    expect(spain.readModel.record).toMatchObject({ record_id: ids.spain, country: 'ES', recorded_by: 'analyst@desk' });
    expect(spain.readModel.versions.map((version: { version: number; conditions: string | null }) => [version.version, version.conditions])).toEqual([
      [0, null],
      [1, 'under a UN mandate'],
    ]);
    const italy = (await t.http().get(`/audit/stances/${ids.italy}`).expect(200)).body;
    expect(italy.retraction).toMatchObject({ eventId: ids.retraction, type: 'StanceRetracted' });
    expect((await t.http().get(`/audit/stances/${randomUUID()}`).expect(404)).body.code).toBe('stance_record_not_found');
  });
});
