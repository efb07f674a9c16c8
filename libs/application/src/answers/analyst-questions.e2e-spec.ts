import { randomUUID } from 'node:crypto';
import { EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

/**
 * A small bitemporal history, recorded at controlled instants:
 *   06 Jan 18:00  ES open (effective 06 Jan)            [spain]
 *   06 Jan 19:00  IT opposes, US open, DE skeptical (06 Jan)
 *   09 Jan 10:00  ES undecided, effective 02 Jan: recorded late   [premature]
 *   10 Jan 09:00  US corrected to undecided            [usFix1]
 *   10 Jan 10:00  DE retracted                          [deRetraction]
 *   10 Jan 11:00  US corrected again: conditions        [usFix2]
 * and queries made on 11 Jan.
 */
describe.each(EVENT_STORES)('Analyst questions over HTTP (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  const ids: Record<string, string> = {};
  let head: string;
  const topic = multinationalForce.id;

  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-06T12:00:00Z', eventStore });
    store = t.app.get(EVENT_STORE);
    await t.http().post('/topics').send(multinationalForce).expect(201);
    const record = async (name: string, at: string, country: string, body: object) => {
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
    head = last.body.position;
    t.clock.set('2026-01-11T12:00:00Z');
    await t.http().get('/topics').query({ minPosition: head }).expect(200);
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

  it('documents every endpoint in OpenAPI, at /docs-json and /docs', async () => {
    const { body } = await t.http().get('/docs-json').expect(200);
    expect(Object.keys(body.paths).sort()).toEqual([
      '/admin/keys',
      '/admin/keys/{id}',
      '/audit/events',
      '/audit/integrity',
      '/audit/stances/{eventId}',
      '/audit/streams/{stream}',
      '/countries/{code}/stances',
      '/countries/{code}/stances/{eventId}/corrections',
      '/countries/{code}/stances/{eventId}/retractions',
      '/countries/{code}/stances/{topicId}',
      '/countries/{code}/timeline',
      '/health',
      '/me',
      '/topics',
      '/topics/{topicId}',
      '/topics/{topicId}/shifts',
      '/topics/{topicId}/stances',
    ]);
    expect(body.paths['/topics/{topicId}/shifts'].get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining(['from', 'to', 'knownAt', 'minPosition']),
    );
    const ui = await t.http().get('/docs').redirects(1).expect(200);
    expect(ui.text).toContain('swagger');
  });
});
