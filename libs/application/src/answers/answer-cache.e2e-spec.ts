import { EVENT_STORE } from '@stance-ledger/application';
import { replay } from '@stance-ledger/audit';
import { READ_MODELS_CHANGED_CHANNEL, StanceQueries } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../../test/support/test-app';
import { ReadModelChanges } from '../projection/read-model-changes';

/** Answers are kept between identical reads only while they are provably the same answer. */
describe('Answers kept between identical reads', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-09T12:00:00Z' });
    await t.http().post('/topics').send(multinationalForce).expect(201);
  });
  afterAll(() => t.close());

  const stances = (query: Record<string, string>) => t.http().get('/countries/ES/stances').query({ on: '2026-01-10', ...query }).expect(200);
  const matrix = (query: Record<string, string>) => t.http().get(`/topics/${multinationalForce.id}/stances`).query({ on: '2026-01-10', ...query }).expect(200);
  const timeline = (query: Record<string, string>) => t.http().get('/countries/ES/timeline').query({ topicId: multinationalForce.id, ...query }).expect(200);
  const shifts = (query: Record<string, string>) => t.http().get(`/topics/${multinationalForce.id}/shifts`).query({ from: '2026-01-01', to: '2026-01-10', ...query }).expect(200);

  /** Rebuilt versions with another headline, swapped in as a replay swaps tables; announced or not. */
  const swapInVersions = (headline: string, { announce }: { announce: boolean }) =>
    t.app.get(DataSource).transaction(async (manager) => {
      const [{ swaps }] = await manager.query(`SELECT count(*)::int AS swaps FROM pg_class WHERE relname LIKE 'stance_versions_before_%'`);
      await manager.query(`CREATE TABLE stance_versions_next (LIKE stance_versions INCLUDING ALL)`);
      await manager.query(`INSERT INTO stance_versions_next SELECT * FROM stance_versions`);
      await manager.query(`UPDATE stance_versions_next SET headline = $1`, [headline]);
      await manager.query(`ALTER TABLE stance_versions RENAME TO stance_versions_before_${swaps}`);
      await manager.query(`ALTER TABLE stance_versions_next RENAME TO stance_versions`);
      if (announce) await manager.query(`SELECT pg_notify('${READ_MODELS_CHANGED_CHANNEL}', 'tables swapped')`);
    });
  /** Waits up to two seconds for `condition`, then lets the test's expectations judge. */
  const eventually = async (condition: () => boolean | Promise<boolean>) => {
    for (let attempt = 0; attempt < 100 && !(await condition()); attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  it('answers a repeated read the same, with the instant asked', async () => {
    const { body: receipt } = await t.http().post('/countries/ES/stances').send(spainOpensDoor).expect(201);
    const first = await stances({ minPosition: receipt.position });
    t.clock.set('2026-01-09T12:00:05Z');
    const second = await stances({});
    expect(second.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(second.body).toEqual({ ...first.body, knownAt: '2026-01-09T12:00:05.000Z' });
    expect(second.body.stances).toEqual([expect.objectContaining({ stance: 'open', eventId: receipt.eventId })]);
  });

  it('reads again once the read models move: a new record shows at once', async () => {
    await matrix({});
    expect((await timeline({})).body.entries).toHaveLength(1);
    expect((await shifts({})).body.shifts).toEqual([expect.objectContaining({ country: 'ES', to: expect.objectContaining({ stance: 'open' }) })]);
    t.clock.set('2026-01-09T13:00:00Z');
    const { body: receipt } = await t.http()
      .post('/countries/ES/stances')
      .send({ ...spainOpensDoor, stance: 'supports', effectiveOn: '2026-01-08', headline: 'Spain supports the force' })
      .expect(201);
    const after = await stances({ minPosition: receipt.position });
    expect(after.body.position).toBe(receipt.position);
    expect(after.body.stances).toEqual([expect.objectContaining({ stance: 'supports', eventId: receipt.eventId })]);
    const { body } = await matrix({ minPosition: receipt.position });
    expect(body.countries).toEqual([expect.objectContaining({ country: 'ES', stance: 'supports' })]);
    expect(body.counts).toMatchObject({ supports: 1, open: 0 });
    expect((await timeline({})).body.entries.map((entry: { stance: string }) => entry.stance)).toEqual(['open', 'supports']);
    expect((await shifts({})).body.shifts).toEqual([expect.objectContaining({ country: 'ES', to: expect.objectContaining({ stance: 'supports' }) })]);
  });

  it('never answers an earlier instant from a later answer', async () => {
    // The read models now hold a record from 13:00; an instant before it has its own answer.
    await stances({});
    const earlier = await stances({ knownAt: '2026-01-09T12:30:00Z' });
    expect(earlier.body.stances).toEqual([expect.objectContaining({ stance: 'open' })]);
    const { body } = await matrix({ knownAt: '2026-01-09T12:30:00Z' });
    expect(body.countries).toEqual([expect.objectContaining({ country: 'ES', stance: 'open' })]);
    const later = await stances({ knownAt: '2026-01-09T12:59:59Z' });
    expect(later.body.stances).toEqual([expect.objectContaining({ stance: 'open' })]);
    const now = await stances({});
    expect(now.body.stances).toEqual([expect.objectContaining({ stance: 'supports' })]);
    await timeline({});
    const { body: earlierTimeline } = await timeline({ knownAt: '2026-01-09T12:30:00Z' });
    expect(earlierTimeline.knownAt).toBe('2026-01-09T12:30:00.000Z');
    expect(earlierTimeline.entries).toEqual([expect.objectContaining({ stance: 'open' })]);
    await shifts({});
    const { body: earlierShifts } = await shifts({ knownAt: '2026-01-09T12:30:00Z' });
    expect(earlierShifts.shifts).toEqual([expect.objectContaining({ country: 'ES', to: expect.objectContaining({ stance: 'open' }) })]);
  });

  it('learns of the tables a replay swaps in', async () => {
    const changes = t.app.get(ReadModelChanges);
    const dataSource = t.app.get(DataSource);
    const tables = async () => (await dataSource.query(`SELECT 'stance_versions'::regclass::oid::text AS oid`))[0].oid as string;
    await eventually(() => changes.current() !== undefined);
    expect(changes.current()?.tables).toBe(await tables());
    const { position } = await replay({ store: t.app.get(EVENT_STORE), dataSource, databaseUrl: t.databaseUrl });
    const swapped = await tables();
    await eventually(() => changes.current()?.tables === swapped);
    expect(changes.current()?.tables).toBe(swapped);
    expect((await stances({})).body.position).toBe(position);
  });

  it('reads again when tables are swapped in at the same checkpoint, as a replay does (announcing it)', async () => {
    const before = await stances({});
    await swapInVersions('Rebuilt by newer code', { announce: true });
    // The announcement reaches the listening connection after the swap commits, not with it.
    let after = await stances({});
    await eventually(async () => {
      after = await stances({});
      return after.body.stances[0]?.headline === 'Rebuilt by newer code';
    });
    expect(after.body.position).toBe(before.body.position);
    expect(after.body.stances).toEqual([expect.objectContaining({ stance: 'supports', headline: 'Rebuilt by newer code' })]);
  });

  it("answers another process's change once it is announced, with no minPosition asked", async () => {
    // A second API on the same database with no projector of its own: only the announcements
    // tell it that the read models moved.
    const other = await startTestApp({ databaseUrl: t.databaseUrl, env: { PROJECTOR: 'off' }, now: '2026-01-09T14:00:00Z' });
    try {
      const listening = other.app.get(ReadModelChanges);
      await eventually(() => listening.current() !== undefined);
      expect(listening.current()).toBeDefined();
      const cached = (await other.http().get('/countries/ES/stances').query({ on: '2026-01-10' }).expect(200)).body;
      await other.http().get('/countries/ES/stances').query({ on: '2026-01-10' }).expect(200);
      t.clock.set('2026-01-09T13:30:00Z');
      const { body: receipt } = await t.http()
        .post('/countries/ES/stances')
        .send({ ...spainOpensDoor, stance: 'skeptical', effectiveOn: '2026-01-09', headline: 'Spain steps back' })
        .expect(201);
      await stances({ minPosition: receipt.position });
      let answer = cached;
      await eventually(async () => {
        answer = (await other.http().get('/countries/ES/stances').query({ on: '2026-01-10' }).expect(200)).body;
        return answer.position === receipt.position;
      });
      expect(answer.position).toBe(receipt.position);
      expect(answer.stances).toEqual([expect.objectContaining({ stance: 'skeptical', eventId: receipt.eventId })]);
    } finally {
      await other.close();
    }
  });

  it('stays right while it cannot hear the announcements, and hears them again', async () => {
    await stances({});
    const dataSource = t.app.get(DataSource);
    const [{ terminated }] = await dataSource.query(
      `SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity WHERE application_name = 'stance-ledger-read-model-changes' AND datname = current_database()`,
    );
    expect(terminated).toBeGreaterThan(0);
    const changes = t.app.get(ReadModelChanges);
    await eventually(() => changes.current() === undefined);
    expect(changes.current()).toBeUndefined();
    // Tables swapped in with no announcement (as if while the connection was down) show at once.
    await swapInVersions('Changed unannounced', { announce: false });
    const { body } = await stances({});
    expect(body.stances).toEqual([expect.objectContaining({ headline: 'Changed unannounced' })]);
    // Listening again within a second or so, it knows the state again without asking.
    await eventually(() => changes.current() !== undefined);
    expect(changes.current()?.tables).toBe((await dataSource.query(`SELECT 'stance_versions'::regclass::oid::text AS oid`))[0].oid);
    t.clock.set('2026-01-09T15:00:00Z');
    const { body: receipt } = await t.http()
      .post('/countries/ES/stances')
      .send({ ...spainOpensDoor, stance: 'supports', effectiveOn: '2026-01-09', headline: 'Spain back in' })
      .expect(201);
    const after = await stances({ minPosition: receipt.position });
    expect(after.body.stances).toEqual([expect.objectContaining({ stance: 'supports', eventId: receipt.eventId })]);
  });

  it('listens again after losing its connection while a read of the state failed', async () => {
    const changes = t.app.get(ReadModelChanges);
    const dataSource = t.app.get(DataSource);
    await eventually(() => changes.current() !== undefined);
    // The read an announcement starts hangs until the listening connection is gone, then fails:
    // as when the database goes away under both.
    let failRead: (error: Error) => void = () => undefined;
    const read = jest.spyOn(t.app.get(StanceQueries), 'freshness').mockImplementationOnce(() => new Promise((_, reject) => (failRead = reject)));
    try {
      await dataSource.query(`SELECT pg_notify('${READ_MODELS_CHANGED_CHANNEL}', 'test')`);
      await eventually(() => read.mock.calls.length > 0);
      await dataSource.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stance-ledger-read-model-changes' AND datname = current_database()`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      failRead(new Error('the database went away'));
    } finally {
      read.mockRestore();
    }
    await eventually(() => changes.current() !== undefined);
    expect(changes.current()?.tables).toBe((await dataSource.query(`SELECT 'stance_versions'::regclass::oid::text AS oid`))[0].oid);
  });

  it('keeps CSV and unknown topics out of it', async () => {
    const csv = await t.http().get(`/topics/${multinationalForce.id}/stances`).set('Accept', 'text/csv').query({ on: '2026-01-10' }).expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\n')[1]).toContain('supports');
    for (let n = 0; n < 2; n++) {
      const missing = await t.http().get('/topics/no-such-topic/stances').expect(404);
      expect(missing.body).toMatchObject({ statusCode: 404, code: 'topic_not_found' });
    }
  });
});
