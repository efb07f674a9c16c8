/// <reference lib="dom" />
// The callbacks given to page.evaluate run in the browser.
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { join } from 'node:path';
import { buildWebApp, launchChromium, SCREENSHOTS } from './browser';
import { startDemoService, type DemoService } from './demo-service';
import { healthOnceUp } from '../../../test/support/test-app';

const FORCE = 'ukraine-multinational-force';
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/** The browser specs: the real service on the embedded PostgreSQL with the demo data, the built app, Debian's Chromium. */
describe('The web app in a browser', () => {
  let service: DemoService;
  let browser: Browser;
  const problems: string[] = [];
  /** Set while a spec makes the API refuse on purpose (a 400 the page shows). */
  let refusalExpected = false;

  beforeAll(async () => {
    browser = await launchChromium();
    service = await startDemoService(buildWebApp());
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
  });

  const api = async <T>(key: string, path: string): Promise<T> => (await service.t.anonymous().get(path).set('Authorization', `Bearer ${key}`).expect(200)).body as T;

  /** A page of its own; console errors and failed scripts are collected (the expected refusals of the sign-in probe and the absent integrity report aside). */
  async function open(size: keyof typeof SIZES = 'desktop'): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: SIZES[size] });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      if (/Failed to load resource: the server responded with a status of (401|404)/.test(message.text())) return;
      if (refusalExpected && /status of 400/.test(message.text())) return;
      problems.push(`console: ${message.text()}`);
    });
    return { page, context };
  }

  async function signIn(page: Page, key: string, path: string) {
    await page.goto(`${service.t.baseUrl}${path}`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** axe-core on the view as it stands: no serious or critical violation. */
  async function accessible(page: Page, view: string) {
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
    expect(serious.map((violation) => `${view}: ${violation.id} ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join('; ')})`)).toEqual([]);
  }

  const shoot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  const tableRows = (page: Page) =>
    page.$$eval('table.matrix tbody tr', (rows) => rows.map((row) => ({ country: row.getAttribute('data-country'), stance: row.querySelector('.badge')?.textContent })));

  it('shows an analyst the topic on a day as the API answers it, and moves the day and the "as known at" instant without loading a page', async () => {
    const { page, context } = await open();
    await signIn(page, service.keys.analyst, `/app/topics/${FORCE}?on=2026-01-05`);
    await page.locator('tr[data-country="ES"]').waitFor();
    const jan5 = await api<{ position: string; countries: { country: string; stance: string }[] }>(service.keys.analyst, `/topics/${FORCE}/stances?on=2026-01-05`);
    expect(await tableRows(page)).toEqual(jan5.countries.map((row) => ({ country: row.country, stance: row.stance })));
    expect(await page.locator('tr[data-country="ES"] .badge').textContent()).toBe('undecided');
    expect(await page.getByTestId('position').textContent()).toBe(`Log position ${jan5.position}`);
    expect(await page.locator('path[data-country="ES"]').getAttribute('data-stance')).toBe('undecided');
    await accessible(page, 'topic');
    await shoot(page, 'topic-desktop');

    // The slider, by keyboard: two days on. The same document throughout (no page load).
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    await page.getByLabel('Day', { exact: true }).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => location.search.includes('on=2026-01-07'));
    await page.locator('tr[data-country="ES"] .badge', { hasText: 'open' }).waitFor();
    const jan7 = await api<{ countries: { country: string; stance: string }[] }>(service.keys.analyst, `/topics/${FORCE}/stances?on=2026-01-07`);
    await page.waitForFunction((count) => document.querySelectorAll('table.matrix tbody tr').length === count, jan7.countries.length);
    expect(await tableRows(page)).toEqual(jan7.countries.map((row) => ({ country: row.country, stance: row.stance })));
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    // As known at 6 January, 12:00 UTC: before Spain's "open" was recorded (that evening), and before its "premature" was back-filled.
    await page.getByLabel('As known at (UTC)').fill('2026-01-06T12:00');
    await page.waitForFunction(() => new URLSearchParams(location.search).get('knownAt') === '2026-01-06T12:00:00Z');
    const then = await api<{ position: string; countries: { country: string; stance: string }[] }>(service.keys.analyst, `/topics/${FORCE}/stances?on=2026-01-07&knownAt=2026-01-06T12:00:00Z`);
    expect(then.countries.some((row) => row.country === 'ES')).toBe(false);
    await page.waitForFunction((count) => document.querySelectorAll('table.matrix tbody tr').length === count, then.countries.length);
    expect(await tableRows(page)).toEqual(then.countries.map((row) => ({ country: row.country, stance: row.stance })));
    expect(await page.locator('path[data-country="ES"]').getAttribute('data-stance')).toBe('none');

    // The URL reopens the same picture (in a new tab, which signs in again: the key is the tab's).
    const shared = page.url();
    const again = await context.newPage();
    await again.goto(shared);
    await again.getByLabel('API key').fill(service.keys.analyst);
    await again.getByRole('button', { name: 'Sign in' }).click();
    expect(again.url()).toBe(shared);
    await again.locator('table.matrix tbody tr').first().waitFor();
    expect(await tableRows(again)).toEqual(then.countries.map((row) => ({ country: row.country, stance: row.stance })));

    // CSV of what is shown.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = await (await download.createReadStream()).toArray();
    const lines = Buffer.concat(csv).toString('utf8').trim().split('\n');
    expect(lines[0]).toContain(`log position ${then.position}`);
    expect(lines.slice(2).map((line) => line.split(',')[0])).toEqual(then.countries.map((row) => row.country));

    // An analyst is offered no record form, and is told why if they go there.
    expect(await page.getByRole('link', { name: 'Record' }).count()).toBe(0);
    await page.goto(`${service.t.baseUrl}/app/record`);
    await page.getByText('This view needs the role “recorder”.').waitFor();
    await context.close();
  });

  it("shows a country's timeline with both records, the quote and the speaker", async () => {
    const { page, context } = await open();
    await signIn(page, service.keys.analyst, `/app/countries/ES?topicId=${FORCE}&on=2026-01-07`);
    await page.locator('ol.records > li').nth(1).waitFor();
    const timeline = await api<{ entries: { headline: string; quote: string | null }[] }>(service.keys.analyst, `/countries/ES/timeline?topicId=${FORCE}&includeRetracted=true`);
    const shown = await page.$$eval('ol.records > li', (items) => items.map((item) => item.textContent ?? ''));
    expect(shown).toHaveLength(timeline.entries.length);
    timeline.entries.forEach((entry, index) => {
      expect(shown[index]).toContain(entry.headline);
      if (entry.quote) expect(shown[index]).toContain(entry.quote);
    });
    expect(shown.join(' ')).toContain('Pedro Sánchez');
    expect(await page.locator('svg.timeline circle').count()).toBeGreaterThanOrEqual(2);
    await accessible(page, 'country');
    await shoot(page, 'country-desktop');

    // The retracted Polish record, with its reason.
    await page.goto(`${service.t.baseUrl}/app/countries/PL?topicId=${FORCE}`);
    await page.locator('.revision', { hasText: 'Retracted' }).waitFor();
    await context.close();
  });

  it('shows who moved between two days, as the API answers it', async () => {
    const { page, context } = await open();
    await signIn(page, service.keys.analyst, `/app/topics/${FORCE}/shifts?from=2026-01-05&to=2026-01-07`);
    await page.locator('table.matrix tbody tr').first().waitFor();
    const shifts = await api<{ shifts: { country: string }[] }>(service.keys.analyst, `/topics/${FORCE}/shifts?from=2026-01-05&to=2026-01-07`);
    expect(await page.$$eval('table.matrix tbody tr', (rows) => rows.map((row) => row.getAttribute('data-country')))).toEqual(shifts.shifts.map((shift) => shift.country));
    await accessible(page, 'shifts');
    await shoot(page, 'shifts-desktop');
    await context.close();
  });

  it("lets a recorder record a stance with its source and see it on the map, and shows the server's refusal beside the field it names", async () => {
    const { page, context } = await open();
    await signIn(page, service.keys.recorder, '/app/record');
    await page.getByLabel('Country').fill('Portugal (PT)');
    await page.getByLabel('Topic').selectOption(FORCE);
    await page.getByLabel('Stance').selectOption('open');
    await page.getByLabel('Effective on').fill('2026-01-08');
    await page.getByLabel('Headline').fill('Portugal open to a contribution');
    await page.getByLabel('Publisher').fill('Example Wire');
    await page.getByLabel('URL').fill('https://example.org/portugal');
    await page.getByLabel('Quote').fill('We are ready to discuss it.');
    await page.getByLabel('Speaker').fill('A government spokesman');
    await accessible(page, 'record');
    await shoot(page, 'record-desktop');
    await page.getByRole('button', { name: 'Record' }).click();
    await page.getByRole('status').filter({ hasText: 'Recorded at log position' }).waitFor();
    await page.getByRole('link', { name: 'See it on the map' }).click();
    await page.locator('tr[data-country="PT"] .badge', { hasText: 'open' }).waitFor();
    expect(await page.locator('path[data-country="PT"]').getAttribute('data-stance')).toBe('open');
    const matrix = await api<{ countries: { country: string; headline: string }[] }>(service.keys.analyst, `/topics/${FORCE}/stances?on=2026-01-08`);
    expect(matrix.countries.find((row) => row.country === 'PT')?.headline).toBe('Portugal open to a contribution');

    // From the record on the country's page: a correction, then a retraction, each with its reason.
    await page.goto(`${service.t.baseUrl}/app/countries/PT?topicId=${FORCE}&on=2026-01-08`);
    await page.getByRole('button', { name: 'Correct' }).click();
    await page.getByLabel('Corrected stance').selectOption('supports');
    await page.getByLabel('Reason').fill('The full interview is firmer');
    await page.getByRole('button', { name: 'Record the correction' }).click();
    await page.locator('.revision', { hasText: 'Corrected' }).waitFor();
    expect(await page.locator('.revision').first().textContent()).toContain('by recorder@example.org: The full interview is firmer');
    await page.getByRole('button', { name: 'Retract' }).click();
    await page.getByRole('button', { name: 'Retract the record' }).click();
    await page.locator('[data-field="reason"]').waitFor();
    await page.getByLabel('Reason').fill('Misattributed quote');
    await page.getByRole('button', { name: 'Retract the record' }).click();
    await page.locator('.revision', { hasText: 'Retracted' }).waitFor();
    const timeline = await api<{ entries: { retracted: boolean; revisions: { kind: string; reason: string }[] }[] }>(service.keys.analyst, `/countries/PT/timeline?topicId=${FORCE}&includeRetracted=true`);
    expect(timeline.entries[0].retracted).toBe(true);
    // Both recorded at the service's fixed instant, so the API orders them by event id: compare as a set.
    expect(timeline.entries[0].revisions.map((revision) => [revision.kind, revision.reason]).sort()).toEqual([
      ['corrected', 'The full interview is firmer'],
      ['retracted', 'Misattributed quote'],
    ]);

    // A day after the service's today (10 January 2026 on its clock) passes the browser's check (its today is later); the API refuses it.
    const head = (await healthOnceUp(service.t)).body.details.projection.logHead;
    await page.goto(`${service.t.baseUrl}/app/record`);
    await page.getByLabel('Country').fill('PT');
    await page.getByLabel('Topic').selectOption(FORCE);
    await page.getByLabel('Stance').selectOption('supports');
    await page.getByLabel('Effective on').fill('2026-03-01');
    await page.getByLabel('Headline').fill('Too early');
    await page.getByLabel('Publisher').fill('Example Wire');
    refusalExpected = true;
    await page.getByRole('button', { name: 'Record' }).click();
    const problem = page.locator('[data-field="effectiveOn"]');
    await problem.waitFor();
    refusalExpected = false;
    await shoot(page, 'record-refused-desktop');
    expect(await problem.textContent()).toMatch(/effectiveOn/);
    expect(await page.getByLabel('Effective on').getAttribute('aria-describedby')).toBe('record-effectiveOn-problem');
    expect((await healthOnceUp(service.t)).body.details.projection.logHead).toBe(head);

    // A check made in the browser first: an empty headline never reaches the API.
    await page.getByLabel('Headline').fill('');
    await page.getByRole('button', { name: 'Record' }).click();
    await page.locator('[data-field="headline"]').waitFor();
    await context.close();
  });

  it('shows an auditor the history, each event with who recorded it and its hash linked to the previous one', async () => {
    const { page, context } = await open();
    await signIn(page, service.keys.auditor, '/app/audit');
    await page.locator('table.audit tbody tr').first().waitFor();
    const history = await api<{ events: { eventId: string; metadata: { recordedBy: string } }[] }>(service.keys.auditor, '/audit/events?limit=50');
    expect(await page.locator('table.audit tbody tr').count()).toBe(history.events.length);
    const chains = await page.$$eval('td[data-chain]', (cells) => cells.map((cell) => cell.getAttribute('data-chain')));
    expect(chains).not.toContain('broken');
    expect(chains).toContain('linked');
    expect(await page.locator('table.audit').textContent()).toContain(history.events[1].metadata.recordedBy);
    await page.getByText('No verification has run yet').waitFor();
    await accessible(page, 'audit');
    await shoot(page, 'audit-desktop');

    // Filtered by stream: only Spain's events.
    await page.getByLabel('Stream').fill('country-ES');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForFunction(() => location.search.includes('stream=country-ES'));
    await page.waitForFunction(() => Array.from(document.querySelectorAll('table.audit tbody tr td:nth-child(2)')).every((cell) => cell.textContent?.startsWith('country-ES')));
    await context.close();
  });

  it('asks to sign in again after a wrong key, and says which role a view needs', async () => {
    const { page, context } = await open();
    await signIn(page, 'slk_thisIsNotAKeyThatWasEverIssuedByTheService0000', `/app/topics/${FORCE}`);
    await page.getByRole('alert').filter({ hasText: 'Your key was refused' }).waitFor();
    expect(await page.getByLabel('API key').isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await accessible(page, 'sign-in');
    await shoot(page, 'sign-in-desktop');

    await signIn(page, service.keys.auditor, `/app/topics/${FORCE}`);
    await page.getByText('This view needs the role “analyst”.').waitFor();
    await context.close();
  });

  it('reads at a phone size (390×844) without a key check failing or a view breaking', async () => {
    const { page, context } = await open('phone');
    await signIn(page, service.keys.recorder, `/app/topics/${FORCE}?on=2026-01-07`);
    await page.locator('tr[data-country="ES"]').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await accessible(page, 'topic (phone)');
    await shoot(page, 'topic-phone');
    for (const [name, path, ready] of [
      ['country-phone', `/app/countries/ES?topicId=${FORCE}`, 'ol.records > li'],
      ['shifts-phone', `/app/topics/${FORCE}/shifts?from=2026-01-05&to=2026-01-07`, 'table.matrix tbody tr'],
      ['record-phone', '/app/record', 'form.record'],
    ] as const) {
      await page.goto(`${service.t.baseUrl}${path}`);
      await page.locator(ready).first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shoot(page, name);
    }
    await context.close();
  });

  it('updates an open view "as known now" when the read models move, and says so', async () => {
    const { page, context } = await open();
    // The view follows the change feed of its topic rather than polling.
    const followed: string[] = [];
    page.on('request', (sent) => {
      if (new URL(sent.url()).pathname === '/feed') followed.push(new URL(sent.url()).searchParams.get('topicId') ?? '');
    });
    await signIn(page, service.keys.analyst, `/app/topics/${FORCE}?on=2026-01-09`);
    await page.locator('tr[data-country="ES"]').waitFor();
    expect(await page.locator('tr[data-country="NL"]').count()).toBe(0);
    expect(followed).toContain(FORCE);
    // Another recorder, elsewhere, records a stance.
    await service.t
      .anonymous()
      .post('/countries/NL/stances')
      .set('Authorization', `Bearer ${service.keys.recorder}`)
      .send({ topicId: FORCE, stance: 'open', effectiveOn: '2026-01-09', headline: 'Dutch cabinet open to a contribution', source: { publisher: 'Example Wire' } })
      .expect(201);
    await page.locator('tr[data-country="NL"] .badge', { hasText: 'open' }).waitFor();
    await page.getByText(/updated live from position/).waitFor();
    await context.close();
  });

  it('logged no console error and no page error in any view', () => {
    expect(problems).toEqual([]);
  });
});
