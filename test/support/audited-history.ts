import { EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { multinationalForce, spainOpensDoor } from './fixtures';
import type { TestApp } from './test-app';

/** What the auditors' specs look at: its events' ids and the log positions around them. */
export interface AuditedHistory {
  ids: { spain: string; italy: string; italyPosition: string; fix: string; retraction: string };
  /** The log before the first stance event: the app's start issued its keys. */
  start: string;
  head: string;
}

/**
 * A topic, Spain's and Italy's records by two desks (one with a correlation id), a correction of
 * Spain's and a retraction of Italy's, on three days; projected before it returns.
 */
export async function recordAuditedHistory(t: TestApp): Promise<AuditedHistory> {
  const store: EventStore = t.app.get(EVENT_STORE);
  t.clock.set('2026-01-06T12:00:00Z');
  const editor = `Bearer ${await t.issueKey('editor@desk', ['recorder'])}`;
  const analyst = `Bearer ${await t.issueKey('analyst@desk', ['recorder'])}`;
  const start = (await store.headPosition()).toString();
  await t.http().post('/topics').set('Authorization', editor).send(multinationalForce).expect(201);
  t.clock.set('2026-01-06T18:00:00Z');
  const spain = (await t.http().post('/countries/ES/stances').set({ Authorization: analyst, 'X-Correlation-Id': 'paris-summit' }).send(spainOpensDoor).expect(201)).body.eventId;
  const italy = (await t.http().post('/countries/IT/stances').send({ ...spainOpensDoor, stance: 'opposes', headline: 'Italy refuses' }).expect(201)).body;
  t.clock.set('2026-01-07T09:00:00Z');
  const fix = (await t.http().post(`/countries/ES/stances/${spain}/corrections`).send({ conditions: 'under a UN mandate', reason: 'full interview' }).expect(201)).body.eventId;
  const retraction = (await t.http().post(`/countries/IT/stances/${italy.eventId}/retractions`).send({ reason: 'misquoted' }).expect(201)).body.eventId;
  const head = (await store.headPosition()).toString();
  t.clock.set('2026-01-08T00:00:00Z');
  await t.http().get('/topics').query({ minPosition: head }).expect(200);
  return { ids: { spain, italy: italy.eventId, italyPosition: italy.position, fix, retraction }, start, head };
}
