import { multinationalForce, spainOpensDoor } from './fixtures';
import type { TestApp } from './test-app';

export type AnalystHistoryIds = Record<'spain' | 'italy' | 'us' | 'germany' | 'premature' | 'usFix1' | 'deRetraction' | 'usFix2', string>;

/**
 * A small bitemporal history, recorded at controlled instants:
 *   06 Jan 18:00  ES open (effective 06 Jan)            [spain]
 *   06 Jan 19:00  IT opposes, US open, DE skeptical (06 Jan)
 *   09 Jan 10:00  ES undecided, effective 02 Jan: recorded late   [premature]
 *   10 Jan 09:00  US corrected to undecided            [usFix1]
 *   10 Jan 10:00  DE retracted                          [deRetraction]
 *   10 Jan 11:00  US corrected again: conditions        [usFix2]
 * and queries made on 11 Jan (the clock is left there); projected before it returns.
 */
export async function recordAnalystHistory(t: TestApp): Promise<{ ids: AnalystHistoryIds; head: string }> {
  const ids = {} as AnalystHistoryIds;
  t.clock.set('2026-01-06T12:00:00Z');
  await t.http().post('/topics').send(multinationalForce).expect(201);
  const record = async (name: keyof AnalystHistoryIds, at: string, country: string, body: object) => {
    t.clock.set(at);
    ids[name] = (await t.http().post(`/countries/${country}/stances`).send({ ...spainOpensDoor, ...body }).expect(201)).body.eventId;
  };
  await record('spain', '2026-01-06T18:00:00Z', 'ES', {});
  await record('italy', '2026-01-06T19:00:00Z', 'IT', { stance: 'opposes', headline: 'Italy refuses to send troops' });
  await record('us', '2026-01-06T19:00:00Z', 'US', { stance: 'open', headline: 'US to back the force' });
  await record('germany', '2026-01-06T19:00:00Z', 'DE', { stance: 'skeptical', headline: 'Germany only in neighbouring countries' });
  await record('premature', '2026-01-09T10:00:00Z', 'ES', { stance: 'undecided', effectiveOn: '2026-01-02', headline: 'Madrid calls troop talk premature' });
  t.clock.set('2026-01-10T09:00:00Z');
  ids.usFix1 = (await t.http().post(`/countries/US/stances/${ids.us}/corrections`).send({ stance: 'undecided', reason: 'The final declaration dropped the US role' }).expect(201)).body.eventId;
  t.clock.set('2026-01-10T10:00:00Z');
  ids.deRetraction = (await t.http().post(`/countries/DE/stances/${ids.germany}/retractions`).send({ reason: 'Misattributed to the government' }).expect(201)).body.eventId;
  t.clock.set('2026-01-10T11:00:00Z');
  const last = await t.http().post(`/countries/US/stances/${ids.us}/corrections`).send({ conditions: 'support without binding commitments', reason: 'Wording of the final text' }).expect(201);
  ids.usFix2 = last.body.eventId;
  const head: string = last.body.position;
  t.clock.set('2026-01-11T12:00:00Z');
  await t.http().get('/topics').query({ minPosition: head }).expect(200);
  return { ids, head };
}
