import { join } from 'node:path';
import { DemoDataLoader, EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { startTestApp, type TestApp } from '../../../test/support/test-app';

const DEMO_DATASET = join(__dirname, '..', '..', '..', 'data', 'demo', 'paris-summit-2026.json');

export interface DemoService {
  t: TestApp;
  /** Keys of one role each, as the admin would issue them to people. */
  keys: { analyst: string; recorder: string; auditor: string };
  close(): Promise<void>;
}

/**
 * The real service on a fresh database with the demo data, serving the web app built in `webDir`.
 * The clock stands on 10 January 2026, the day after the demo's last recording.
 */
export async function startDemoService(webDir: string, env: Record<string, string> = {}): Promise<DemoService> {
  const t = await startTestApp({ now: '2026-01-10T12:00:00Z', env: { WEB_DIR: webDir, ...env } });
  await t.app.get(DemoDataLoader).load(DEMO_DATASET);
  const head = (await t.app.get<EventStore>(EVENT_STORE).headPosition()).toString();
  await t.http().get('/topics').query({ minPosition: head }).expect(200);
  const keys = {
    analyst: await t.issueKey('analyst@example.org', ['analyst']),
    recorder: await t.issueKey('recorder@example.org', ['recorder', 'analyst']),
    auditor: await t.issueKey('auditor@example.org', ['auditor']),
  };
  return { t, keys, close: () => t.close() };
}
