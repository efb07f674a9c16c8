import { type AnalystHistoryIds, recordAnalystHistory } from '../../../../test/support/analyst-history';
import { multinationalForce } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

/** On the history of test/support/analyst-history.ts. */
describe.each(EVENT_STORES)("A country's stance on a day over HTTP (log on %s)", (eventStore) => {
  let t: TestApp;
  let ids: AnalystHistoryIds;
  const topic = multinationalForce.id;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    ({ ids } = await recordAnalystHistory(t));
  });
  afterAll(() => t.close());

  const stanceOf = async (country: string, on: string, knownAt?: string) =>
    (await t.http().get(`/countries/${country}/stances/${topic}`).query({ on, ...(knownAt ? { knownAt } : {}) }).expect(200)).body;

  describe('the stance on a day as known at an instant', () => {
    it('ignores a record recorded after knownAt: a late record changes the past only from its recording on', async () => {
      expect(await stanceOf('ES', '2026-01-05', '2026-01-07T00:00:00Z')).toMatchObject({ stance: null, knownAt: '2026-01-07T00:00:00.000Z' });
      expect(await stanceOf('ES', '2026-01-05', '2026-01-09T09:59:59Z')).toMatchObject({ stance: null });
      expect(await stanceOf('ES', '2026-01-05', '2026-01-09T10:00:00Z')).toMatchObject({ stance: 'undecided', eventId: ids.premature });
      expect(await stanceOf('ES', '2026-01-05')).toMatchObject({ stance: 'undecided', knownAt: '2026-01-11T12:00:00.000Z' });
      expect(await stanceOf('ES', '2026-01-07')).toMatchObject({ stance: 'open', eventId: ids.spain, corrected: false, correctedBy: [] });
    });

    it('applies corrections from their recording on, on top of each other, and says so', async () => {
      expect(await stanceOf('US', '2026-01-07', '2026-01-09T00:00:00Z')).toMatchObject({ stance: 'open', conditions: null, corrected: false });
      expect(await stanceOf('US', '2026-01-07', '2026-01-10T09:30:00Z')).toMatchObject({ stance: 'undecided', conditions: null, correctedBy: [ids.usFix1] });
      expect(await stanceOf('US', '2026-01-07')).toMatchObject({
        stance: 'undecided',
        score: 0,
        conditions: 'support without binding commitments',
        headline: 'US to back the force',
        eventId: ids.us,
        corrected: true,
        correctedBy: [ids.usFix1, ids.usFix2],
      });
    });

    it('removes a retracted record from its retraction on', async () => {
      expect(await stanceOf('DE', '2026-01-07', '2026-01-10T09:59:59Z')).toMatchObject({ stance: 'skeptical' });
      expect(await stanceOf('DE', '2026-01-07')).toMatchObject({ stance: null });
    });

    it('answers the same forever for the same knownAt, and clamps a future knownAt to now', async () => {
      const first = await stanceOf('US', '2026-01-07', '2026-01-10T09:30:00Z');
      await t.http().post(`/countries/US/stances/${ids.us}/corrections`).send({ commitment: 'none stated', reason: 'later detail' }).expect(201);
      expect(await stanceOf('US', '2026-01-07', '2026-01-10T09:30:00Z')).toMatchObject({ ...first, position: expect.any(String) });
      expect((await stanceOf('US', '2026-01-07', '2030-01-01T00:00:00Z')).knownAt).toBe('2026-01-11T12:00:00.000Z');
    });
  });
});
