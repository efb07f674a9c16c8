import { type AnalystHistoryIds, recordAnalystHistory } from '../../../../test/support/analyst-history';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

/** On the history of test/support/analyst-history.ts. */
describe.each(EVENT_STORES)('The timeline of a country on a topic over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let ids: AnalystHistoryIds;
  const topic = multinationalForce.id;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    ({ ids } = await recordAnalystHistory(t));
  });
  afterAll(() => t.close());

  describe('the timeline of a country on a topic', () => {
    const timeline = (country: string, query: Record<string, string>) =>
      t.http().get(`/countries/${country}/timeline`).query({ topicId: topic, ...query });

    it('lists records in effective order, each with the stance before it, the direction and its source', async () => {
      const { body } = await timeline('ES', {}).expect(200);
      expect(body).toMatchObject({ country: 'ES', topicId: topic, knownAt: '2026-01-11T12:00:00.000Z' });
      expect(body.entries).toEqual([
        expect.objectContaining({ eventId: ids.premature, effectiveOn: '2026-01-02', stance: 'undecided', before: null, direction: 'unchanged', retracted: false }),
        expect.objectContaining({
          eventId: ids.spain,
          effectiveOn: '2026-01-06',
          stance: 'open',
          before: { stance: 'undecided', score: 0, eventId: ids.premature, effectiveOn: '2026-01-02' },
          direction: 'toward-support',
          quote: spainOpensDoor.source.quote,
          source: expect.objectContaining({ publisher: spainOpensDoor.source.publisher }),
          revisions: [],
        }),
      ]);
    });

    it('is as known at knownAt, and limited to from..to with the stance before the range', async () => {
      const earlier = (await timeline('ES', { knownAt: '2026-01-07T00:00:00Z' }).expect(200)).body.entries;
      expect(earlier).toEqual([expect.objectContaining({ eventId: ids.spain, before: null, direction: 'toward-support' })]);
      const ranged = (await timeline('ES', { from: '2026-01-03', to: '2026-01-31' }).expect(200)).body.entries;
      expect(ranged).toEqual([expect.objectContaining({ eventId: ids.spain, before: expect.objectContaining({ eventId: ids.premature }) })]);
    });

    it('shows corrections in the revision history, and retracted records only when asked', async () => {
      const us = (await timeline('US', {}).expect(200)).body.entries;
      expect(us[0].revisions.map((revision: { eventId: string; kind: string }) => [revision.kind, revision.eventId]).slice(0, 2)).toEqual([
        ['corrected', ids.usFix1],
        ['corrected', ids.usFix2],
      ]);
      expect(us[0].revisions[0]).toMatchObject({ reason: 'The final declaration dropped the US role', changes: { stance: 'undecided' } });
      expect((await timeline('DE', {}).expect(200)).body.entries).toEqual([]);
      const withRetracted = (await timeline('DE', { includeRetracted: 'true' }).expect(200)).body.entries;
      expect(withRetracted).toEqual([
        expect.objectContaining({ eventId: ids.germany, retracted: true, revisions: [expect.objectContaining({ kind: 'retracted', reason: 'Misattributed to the government', eventId: ids.deRetraction })] }),
      ]);
    });

    it('answers as CSV', async () => {
      const response = await timeline('ES', {}).set('Accept', 'text/csv').expect(200);
      const lines = response.text.trim().split('\n');
      expect(lines[0]).toMatch(/^country,topicId,effectiveOn,stance,score,beforeStance,direction,headline/);
      expect(lines).toHaveLength(3);
      expect(lines[2]).toContain('ES,ukraine-multinational-force,2026-01-06,open,1,undecided,toward-support');
    });

    it('answers 400 for an unknown country and 404 for an unknown topic', async () => {
      expect((await t.http().get('/countries/XX/timeline').query({ topicId: topic }).expect(400)).body.errors).toContainEqual(expect.objectContaining({ field: 'code', rule: 'isIso3166Alpha2' }));
      expect((await t.http().get('/countries/ES/timeline').query({ topicId: 'no-such-topic' }).expect(404)).body.code).toBe('topic_not_found');
    });

    it.each([
      [{}, 'topicId'],
      [{ topicId: topic, from: '2026-01-09', to: '2026-01-01' }, 'from'],
      [{ topicId: topic, knownAt: '2026-01-07' }, 'knownAt'],
      [{ topicId: topic, includeRetracted: 'yes' }, 'includeRetracted'],
    ])('rejects %j with 400 naming %s', async (query, field) => {
      const response = await t.http().get('/countries/ES/timeline').query(query).expect(400);
      expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    });
  });
});
