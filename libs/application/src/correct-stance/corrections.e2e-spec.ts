import { randomUUID } from 'node:crypto';
import { EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { type AnalystHistoryIds, recordAnalystHistory } from '../../../../test/support/analyst-history';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

/** On the history of test/support/analyst-history.ts. */
describe.each(EVENT_STORES)('Corrections and retractions over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  let ids: AnalystHistoryIds;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    store = t.app.get(EVENT_STORE);
    ({ ids } = await recordAnalystHistory(t));
  });
  afterAll(() => t.close());

  describe('corrections and retractions', () => {
    const correct = (country: string, eventId: string, body: object) => t.http().post(`/countries/${country}/stances/${eventId}/corrections`).send(body);

    it.each([
      ['an event id that is no record', () => randomUUID(), 'ES', 404, 'stance_record_not_found'],
      ['another country\'s record', () => ids.italy, 'ES', 404, 'stance_record_not_found'],
      ['a correction rather than a record', () => ids.usFix1, 'US', 404, 'stance_record_not_found'],
      ['a retracted record', () => ids.germany, 'DE', 409, 'stance_already_retracted'],
      ['not an id at all', () => 'not-a-uuid', 'ES', 404, 'stance_record_not_found'],
    ])('refuses to correct %s, appending nothing', async (_label, id, country, status, code) => {
      const before = await store.headPosition();
      const response = await correct(country, id(), { stance: 'open', reason: 'r' }).expect(status);
      expect(response.body.code).toBe(code);
      expect(await store.headPosition()).toBe(before);
    });

    it('refuses to retract twice (409) and needs a reason (400)', async () => {
      const before = await store.headPosition();
      expect((await t.http().post(`/countries/DE/stances/${ids.germany}/retractions`).send({ reason: 'again' }).expect(409)).body.code).toBe('stance_already_retracted');
      const noReason = await t.http().post(`/countries/IT/stances/${ids.italy}/retractions`).send({}).expect(400);
      expect(noReason.body.errors).toContainEqual(expect.objectContaining({ field: 'reason' }));
      expect(await store.headPosition()).toBe(before);
    });

    it.each([
      [{ reason: 'nothing to change' }, 'correction', 'atLeastOneChange'],
      [{ stance: 'open' }, 'reason', 'isString'],
      [{ stance: 'hopeful', reason: 'r' }, 'stance', 'isIn'],
      [{ effectiveOn: '2026-02-31', reason: 'r' }, 'effectiveOn', 'isCalendarDate'],
      [{ effectiveOn: '2026-01-12', reason: 'r' }, 'effectiveOn', 'notInFuture'],
      [{ mood: 'x', reason: 'r' }, 'mood', 'unknownField'],
    ])('rejects the correction %j: 400 naming %s', async (body, field, rule) => {
      const before = await store.headPosition();
      const response = await correct('IT', ids.italy, body).expect(400);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
      expect(await store.headPosition()).toBe(before);
    });
  });
});
