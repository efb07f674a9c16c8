import { join } from 'node:path';
import { DemoDataLoader, EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { startTestApp, type TestApp } from '../../../test/support/test-app';

const DATASET = join(__dirname, '..', '..', '..', 'data', 'demo', 'paris-summit-2026.json');

/** The README's walk-through, on the demo dataset loaded the way `npm start` loads it. */
describe('The demo dataset and the README walk-through', () => {
  let t: TestApp;
  let head: string;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-11-21T12:00:00Z' });
    const report = await t.app.get(DemoDataLoader).load(DATASET);
    expect(report).toMatchObject({ topics: 4, stances: 18, corrections: 1, retractions: 1, alreadyLoaded: 0 });
    head = (await t.app.get<EventStore>(EVENT_STORE).headPosition()).toString();
  });
  afterAll(() => t.close());

  const get = (url: string, query: Record<string, string> = {}) => t.http().get(url).query({ minPosition: head, ...query }).expect(200);
  const force = 'ukraine-multinational-force';

  it('loads idempotently: a second load appends nothing', async () => {
    const again = await t.app.get(DemoDataLoader).load(DATASET);
    expect(again.alreadyLoaded).toBe(4 + 18 + 1 + 1);
    expect((await t.app.get<EventStore>(EVENT_STORE).headPosition()).toString()).toBe(head);
  });

  it('records each entry at its own recording instant', async () => {
    const [premature] = (await get(`/countries/ES/timeline`, { topicId: force })).body.entries;
    expect(premature).toMatchObject({ stance: 'undecided', effectiveOn: '2026-01-05', recordedAt: '2026-01-09T09:00:00.000Z' });
  });

  it('Spain: nothing on 5 January as known on 7 January, "premature" (undecided) once recorded, open on 7 January', async () => {
    expect((await get(`/countries/ES/stances/${force}`, { on: '2026-01-05', knownAt: '2026-01-07T12:00:00Z' })).body.stance).toBeNull();
    expect((await get(`/countries/ES/stances/${force}`, { on: '2026-01-05' })).body).toMatchObject({ stance: 'undecided', headline: 'Madrid calls troop debate premature' });
    expect((await get(`/countries/ES/stances/${force}`, { on: '2026-01-07' })).body).toMatchObject({ stance: 'open', headline: 'Spain opens door to troops' });
  });

  it('the United States: open from the draft, corrected to undecided by the final declaration', async () => {
    expect((await get(`/countries/US/stances/${force}`, { on: '2026-01-07', knownAt: '2026-01-06T23:00:00Z' })).body).toMatchObject({ stance: 'open', corrected: false });
    const now = (await get(`/countries/US/stances/${force}`, { on: '2026-01-07' })).body;
    expect(now).toMatchObject({ stance: 'undecided', corrected: true, headline: 'Final declaration leaves US support to the force undefined' });
    const timeline = (await get('/countries/US/timeline', { topicId: force })).body.entries;
    expect(timeline[0].revisions).toEqual([expect.objectContaining({ kind: 'corrected', reason: expect.stringContaining('final declaration removed references') })]);
  });

  it('Poland: a misread record, retracted with its reason', async () => {
    expect((await get(`/countries/PL/stances/${force}`, { on: '2026-01-07', knownAt: '2026-01-07T09:00:00Z' })).body.stance).toBe('supports');
    expect((await get(`/countries/PL/stances/${force}`, { on: '2026-01-07' })).body.stance).toBeNull();
    const entries = (await get('/countries/PL/timeline', { topicId: force, includeRetracted: 'true' })).body.entries;
    expect(entries).toEqual([expect.objectContaining({ retracted: true, revisions: [expect.objectContaining({ kind: 'retracted', reason: expect.stringContaining('Misread') })] })]);
  });

  it('the matrix on 7 January, and who moved between 1 and 10 January', async () => {
    const matrix = (await get(`/topics/${force}/stances`, { on: '2026-01-07' })).body;
    expect(matrix.counts).toEqual({ opposes: 2, skeptical: 1, undecided: 1, open: 1, supports: 3 });
    const shifts = (await get(`/topics/${force}/shifts`, { from: '2026-01-01', to: '2026-01-10' })).body.shifts;
    expect(shifts.map((shift: { country: string }) => shift.country)).toEqual(['DE', 'ES', 'FR', 'GB', 'IT', 'RU', 'UA', 'US']);
    const around = (await get(`/topics/${force}/shifts`, { from: '2026-01-05', to: '2026-01-07' })).body.shifts;
    expect(around.find((shift: { country: string }) => shift.country === 'ES')).toMatchObject({
      direction: 'toward-support',
      from: { stance: 'undecided' },
      to: { stance: 'open' },
    });
    // Everyone else had no stance on 5 January: no stance is a value of its own, so they moved too.
    expect(around.find((shift: { country: string }) => shift.country === 'IT')).toMatchObject({ from: null, to: { stance: 'opposes' }, direction: 'toward-opposition' });
  });
});
