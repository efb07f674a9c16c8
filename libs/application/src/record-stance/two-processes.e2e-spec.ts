import { EVENT_STORE } from '@stance-ledger/application';
import { ChainVerifier } from '@stance-ledger/audit';
import type { EventStore } from '@stance-ledger/event-store';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

/**
 * Two API processes writing the same country streams. Each keeps the decided state of the
 * streams it wrote; these specs show that a state gone stale behind the other process's appends
 * never turns into a wrong answer, a lost event or a broken hash chain.
 */
describe.each(EVENT_STORES)('Two processes writing one log (log on %s)', (eventStore) => {
  let a: TestApp;
  let b: TestApp;
  let store: EventStore;
  beforeAll(async () => {
    a = await startTestApp({ eventStore });
    b = await startTestApp({ databaseUrl: a.databaseUrl, env: a.double ? { EVENTSTORE_CONNECTION_STRING: a.double.connectionString } : {} });
    store = a.app.get(EVENT_STORE);
    await a.http().post('/topics').send(multinationalForce).expect(201);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const record = (app: TestApp, country: string, headline: string, headers: Record<string, string> = {}) =>
    app.http().post(`/countries/${country}/stances`).set(headers).send({ ...spainOpensDoor, headline });

  it('appends after the other process has moved the stream on, at the next revision', async () => {
    expect((await record(a, 'ES', 'first, by A')).status).toBe(201);
    expect((await record(b, 'ES', 'second, by B')).body.revision).toBe('1');
    // A's state of country-ES is still at revision 0.
    const third = await record(a, 'ES', 'third, by A').expect(201);
    expect(third.body.revision).toBe('2');
    expect((await store.readStream('country-ES')).map((event) => (event.data as { headline: string }).headline)).toEqual([
      'first, by A',
      'second, by B',
      'third, by A',
    ]);
  });

  it('corrects and retracts a record only the other process has seen', async () => {
    await record(a, 'PT', 'A knows Portugal').expect(201);
    const recordedByB = await record(b, 'PT', 'recorded by B').expect(201);
    await a.http().post(`/countries/PT/stances/${recordedByB.body.eventId}/corrections`).send({ stance: 'undecided', reason: 'misread' }).expect(201);
    await a.http().post(`/countries/PT/stances/${recordedByB.body.eventId}/retractions`).send({ reason: 'wrong country' }).expect(201);
    // And B, whose state has not seen the retraction, refuses a second one.
    const again = await b.http().post(`/countries/PT/stances/${recordedByB.body.eventId}/retractions`).send({ reason: 'twice' });
    expect(again.status).toBe(409);
  });

  it('recognises a keyed retry sent to the other process: one event, the first receipt', async () => {
    const first = await record(a, 'IT', 'keyed', { 'Idempotency-Key': 'italy-1' }).expect(201);
    const retry = await record(b, 'IT', 'keyed', { 'Idempotency-Key': 'italy-1' }).expect(201);
    expect(retry.body).toEqual(first.body);
    expect(await store.readStream('country-IT')).toHaveLength(1);
  });

  it('keeps every stream one unbroken hash chain while both processes append at once', async () => {
    const countries = ['DE', 'FR', 'PL'];
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => record(n % 2 === 0 ? a : b, countries[n % 3], `concurrent ${n}`).expect(201)),
    );
    const verifier = new ChainVerifier();
    for (const stream of ['country-ES', 'country-PT', 'country-IT', ...countries.map((country) => `country-${country}`)]) {
      for (const event of await store.readStream(stream)) verifier.check(event);
    }
    expect(verifier.breaks).toEqual([]);
    expect(verifier.eventsChecked).toBe(3 + 4 + 1 + 30);
  });
});
