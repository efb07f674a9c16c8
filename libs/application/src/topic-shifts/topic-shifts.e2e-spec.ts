import { type AnalystHistoryIds, recordAnalystHistory } from '../../../../test/support/analyst-history';
import { multinationalForce } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

/** On the history of test/support/analyst-history.ts. */
describe.each(EVENT_STORES)('Shifts between two days over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let ids: AnalystHistoryIds;
  const topic = multinationalForce.id;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    ({ ids } = await recordAnalystHistory(t));
  });
  afterAll(() => t.close());

  describe('shifts between two days', () => {
    it('names every country whose stance changed, with both stances, the direction and the events', async () => {
      const { body } = await t.http().get(`/topics/${topic}/shifts`).query({ from: '2026-01-03', to: '2026-01-07' }).expect(200);
      expect(body).toMatchObject({ topicId: topic, from: '2026-01-03', to: '2026-01-07' });
      const summary = body.shifts.map((shift: { country: string; from: { stance: string } | null; to: { stance: string } | null; direction: string; events: { eventId: string }[] }) => ({
        country: shift.country,
        from: shift.from?.stance ?? null,
        to: shift.to?.stance ?? null,
        direction: shift.direction,
        events: shift.events.map((event) => event.eventId),
      }));
      expect(summary).toEqual([
        { country: 'ES', from: 'undecided', to: 'open', direction: 'toward-support', events: [ids.spain] },
        { country: 'IT', from: null, to: 'opposes', direction: 'toward-opposition', events: [ids.italy] },
        { country: 'US', from: null, to: 'undecided', direction: 'unchanged', events: [ids.us] },
      ]);
    });

    it('as known at an earlier instant, and as CSV', async () => {
      const { body } = await t.http().get(`/topics/${topic}/shifts`).query({ from: '2026-01-01', to: '2026-01-07', knownAt: '2026-01-08T00:00:00Z' }).expect(200);
      expect(body.shifts.map((shift: { country: string; to: { stance: string } }) => `${shift.country}:${shift.to.stance}`)).toEqual(['DE:skeptical', 'ES:open', 'IT:opposes', 'US:open']);
      const csv = await t.http().get(`/topics/${topic}/shifts`).query({ from: '2026-01-03', to: '2026-01-07' }).set('Accept', 'text/csv').expect(200);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toBe('topicId,from,to,knownAt,position,country,countryName,fromStance,toStance,direction,eventIds');
      expect(lines).toHaveLength(4);
    });

    it('answers 404 for an unknown topic', async () => {
      expect((await t.http().get('/topics/no-such-topic/shifts').query({ from: '2026-01-01', to: '2026-01-07' }).expect(404)).body.code).toBe('topic_not_found');
    });

    it.each([
      [{ from: '2026-01-07', to: '2026-01-03' }, 'from', 'notAfter'],
      [{ to: '2026-01-03' }, 'from', 'isCalendarDate'],
      [{ from: '2026-01-01', to: '2026-01-07', knownAt: 'yesterday' }, 'knownAt', 'isInstant'],
    ])('rejects %j with 400 naming %s', async (query, field, rule) => {
      const response = await t.http().get(`/topics/${topic}/shifts`).query(query).expect(400);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
    });
  });
});
