import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { join } from 'node:path';
import { type ApiChildProcess, startApiChildProcess } from '../../../../test/support/api-child-process';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { startTestApp, type TestApp } from '../../../../test/support/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../../../../test/support/webhook-receiver';

describe('webhook deliveries survive a crash of the delivering process', () => {
  const secretKey = randomBytes(32).toString('hex');
  const webhookEnv = { WEBHOOK_SECRET_KEY: secretKey, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_TIMEOUT_MS: '5000' };
  let t: TestApp;
  let receiver: WebhookReceiver;
  const children: ApiChildProcess<{ baseUrl: string }>[] = [];

  /** A second API process on the same database that delivers the webhooks (this one does not). */
  async function startDeliverer(): Promise<ApiChildProcess<{ baseUrl: string }>> {
    const started = await startApiChildProcess<{ baseUrl: string }>(join(__dirname, 'webhook-api-process.ts'), { DATABASE: t.databaseUrl, ...webhookEnv });
    children.push(started);
    return started;
  }

  beforeAll(async () => {
    t = await startTestApp({ env: { ...webhookEnv, WEBHOOK_DELIVERIES: 'off' } });
    await t.http().post('/topics').send(multinationalForce).expect(201);
    // Accepts slowly, so that the kill lands while batches are in flight.
    receiver = await startWebhookReceiver(() => ({ status: 200, delayMs: 40 + Math.floor(Math.random() * 80) }));
  }, 120_000);

  afterAll(async () => {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t.close();
    await receiver.close();
  });

  it('delivers every change at least once, in log order, when the delivering process is SIGKILLed mid-way and another starts', async () => {
    const analyst = await t.issueKey('crash-analyst@example.org', ['analyst']);
    const first = await startDeliverer();
    // Created through the delivering process, which logs at info: its secret must appear in no line.
    const created = await fetch(`${first.ready.baseUrl}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${analyst}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, country: 'ES,IT,PL' }),
    });
    expect(created.status).toBe(201);
    const webhook = (await created.json()) as { id: string; secret: string };
    const from = (await t.anonymous().get('/webhooks').set('Authorization', `Bearer ${analyst}`).expect(200)).body.webhooks[0].position as string;

    const countries = ['ES', 'IT', 'PL', 'FR'];
    let appending = true;
    const appends = (async () => {
      for (let n = 0; appending || n < 60; n++) {
        const country = countries[n % countries.length];
        await t.http().post(`/countries/${country}/stances`).send({ ...spainOpensDoor, headline: `${country} statement ${n}` }).expect(201);
      }
    })();
    await receiver.until(() => receiver.accepted().length >= 8, 60_000, 'deliveries before the kill');
    expect(first.raw.join('\n')).not.toContain(webhook.secret);
    expect(first.lines.some((line) => line.context === 'Webhooks' && String(line.msg).includes('delivering webhooks from this process'))).toBe(true);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    const deliveredBeforeKill = receiver.accepted().length;
    const second = await startDeliverer();
    appending = false;
    await appends;

    const log: { position: string; eventId: string; type: string; data: { country: string } }[] = [];
    for (let after = from; ; ) {
      const page = (await t.http().get('/audit/events').query({ afterPosition: after, limit: 1000 }).expect(200)).body;
      log.push(...page.events);
      if (!page.nextAfterPosition) break;
      after = page.nextAfterPosition;
    }
    const expected = log.filter((event) => event.type === 'StanceRecorded' && ['ES', 'IT', 'PL'].includes(event.data.country)).map((event) => event.eventId);
    expect(expected.length).toBeGreaterThanOrEqual(45);
    const deduplicated = () => [...new Set(receiver.accepted().map((change) => change.eventId as string))];
    await receiver.until(() => deduplicated().length >= expected.length, 90_000, 'every change at the receiver');
    expect(deduplicated()).toEqual(expected);
    // Every batch carried its changes in log order, and a redelivered batch its same delivery id.
    for (const delivery of receiver.received) {
      const positions = delivery.body.changes.map((change) => BigInt(change.position as string));
      expect([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(positions);
    }
    const bodiesById = new Map<string, Set<string>>();
    for (const delivery of receiver.received) {
      const id = String(delivery.headers['x-stance-ledger-delivery']);
      bodiesById.set(id, (bodiesById.get(id) ?? new Set()).add(delivery.raw));
    }
    expect([...bodiesById.values()].every((bodies) => bodies.size === 1)).toBe(true);
    expect(deliveredBeforeKill).toBeLessThan(expected.length);
    const listed = (await t.anonymous().get('/webhooks').set('Authorization', `Bearer ${analyst}`).expect(200)).body.webhooks[0];
    expect(listed).toMatchObject({ id: webhook.id, state: 'active' });
    expect(second.raw.join('\n')).not.toContain(webhook.secret);
  }, 180_000);
});
