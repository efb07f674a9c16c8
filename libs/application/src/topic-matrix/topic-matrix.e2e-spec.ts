import { type AnalystHistoryIds, recordAnalystHistory } from '../../../../test/support/analyst-history';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

/** On the history of test/support/analyst-history.ts. */
describe.each(EVENT_STORES)('The matrix of a topic over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let ids: AnalystHistoryIds;
  const topic = multinationalForce.id;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    ({ ids } = await recordAnalystHistory(t));
  });
  afterAll(() => t.close());

  describe('the matrix of a topic', () => {
    it('lists every country with a stance in force, with names and counts', async () => {
      const response = await t.http().get(`/topics/${topic}/stances`).query({ on: '2026-01-07' }).expect(200);
      expect(response.body).toMatchObject({ topicId: topic, on: '2026-01-07', knownAt: '2026-01-11T12:00:00.000Z' });
      expect(response.body.countries.map((row: { country: string; stance: string }) => [row.country, row.stance])).toEqual([
        ['ES', 'open'],
        ['IT', 'opposes'],
        ['US', 'undecided'],
      ]);
      expect(response.body.countries[0]).toMatchObject({ countryName: 'Spain', eventId: ids.spain, headline: spainOpensDoor.headline });
      expect(response.body.counts).toEqual({ opposes: 1, skeptical: 0, undecided: 1, open: 1, supports: 0 });
    });

    it('answers as known at an earlier instant', async () => {
      const response = await t.http().get(`/topics/${topic}/stances`).query({ on: '2026-01-07', knownAt: '2026-01-09T00:00:00Z' }).expect(200);
      expect(response.body.countries.map((row: { country: string; stance: string }) => `${row.country}:${row.stance}`)).toEqual(['DE:skeptical', 'ES:open', 'IT:opposes', 'US:open']);
    });

    it('answers as CSV, a header and one line per country', async () => {
      const response = await t.http().get(`/topics/${topic}/stances`).query({ on: '2026-01-07' }).set('Accept', 'text/csv').expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      const lines = response.text.trim().split('\n');
      expect(lines[0]).toBe('topicId,on,knownAt,position,country,countryName,stance,score,effectiveOn,headline,conditions,commitment,publisher,quote,eventId,corrected');
      expect(lines).toHaveLength(4);
      expect(lines[1]).toContain(`,ES,Spain,open,1,2026-01-06,Spain opens door to troops,`);
    });

    it('answers 404 for an unknown topic, 400 for a bad day or an unknown parameter', async () => {
      expect((await t.http().get('/topics/no-such-topic/stances').expect(404)).body.code).toBe('topic_not_found');
      expect((await t.http().get(`/topics/${topic}/stances`).query({ on: '2026-13-01' }).expect(400)).body.errors).toContainEqual(expect.objectContaining({ field: 'on', rule: 'isCalendarDate' }));
      expect((await t.http().get(`/topics/${topic}/stances`).query({ country: 'ES' }).expect(400)).body.errors).toContainEqual(expect.objectContaining({ field: 'country', rule: 'unknownField' }));
    });
  });
});
