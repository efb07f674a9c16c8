import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE } from '@stance-ledger/application';
import type { EventStore } from '@stance-ledger/event-store';
import { multinationalForce, spainOpensDoor } from '../../../../test/support/fixtures';
import { EVENT_STORES, startTestApp, type TestApp } from '../../../../test/support/test-app';

describe.each(EVENT_STORES)('Access keys and provenance (log on %s)', (eventStore) => {
  let t: TestApp;
  let store: EventStore;
  beforeAll(async () => {
    t = await startTestApp({ now: '2026-01-09T12:00:00Z', eventStore });
    store = t.app.get(EVENT_STORE);
    await t.http().post('/topics').send(multinationalForce).expect(201);
  });
  afterAll(() => t.close());

  const admin = () => `Bearer ${t.adminKey}`;

  it('issues a key shown once, lists it without its secret, and records the grant in the log without it', async () => {
    const issued = await t.anonymous().post('/admin/keys').set('Authorization', admin()).send({ name: 'alice', roles: ['recorder', 'analyst'] }).expect(201);
    expect(issued.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'alice',
      roles: ['recorder', 'analyst'],
      createdAt: '2026-01-09T12:00:00.000Z',
      key: expect.stringMatching(/^slk_[A-Za-z0-9_-]{43}$/),
    });
    const listed = await t.anonymous().get('/admin/keys').set('Authorization', admin()).expect(200);
    const alice = listed.body.keys.find((key: { id: string }) => key.id === issued.body.id);
    expect(alice).toEqual({ id: issued.body.id, name: 'alice', roles: ['recorder', 'analyst'], createdAt: '2026-01-09T12:00:00.000Z', createdBy: 'admin', revokedAt: null, revokedBy: null });
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.key);

    const grants = await t.http().get('/audit/streams/access-keys').expect(200);
    const grant = grants.body.events.find((event: { data: { keyId: string } }) => event.data.keyId === issued.body.id);
    expect(grant).toMatchObject({ type: 'AccessKeyIssued', data: { keyId: issued.body.id, name: 'alice', roles: ['recorder', 'analyst'] }, metadata: { recordedBy: 'admin' } });
    expect(grant.hash).toMatch(/^[0-9a-f]{64}$/);
    const log = JSON.stringify((await store.readAll({ maxCount: 1000 })).map(({ data, metadata }) => ({ data, metadata })));
    expect(log).not.toContain(issued.body.key);
    expect(log).not.toContain(t.adminKey);
  });

  it("records an event as the key's name, whatever X-Recorded-By claims", async () => {
    const alice = await t.issueKey('alice-desk', ['recorder']);
    const receipt = await t
      .anonymous()
      .post('/countries/ES/stances')
      .set({ Authorization: `Bearer ${alice}`, 'X-Recorded-By': 'the-president', 'Content-Type': 'application/json' })
      .send(spainOpensDoor)
      .expect(201);
    const stream = await t.http().get('/audit/streams/country-ES').expect(200);
    const event = stream.body.events.find((candidate: { eventId: string }) => candidate.eventId === receipt.body.eventId);
    expect(event.metadata.recordedBy).toBe('alice-desk');
  });

  it('revokes a key: refused within a second, the revocation on the record, a second revocation 409', async () => {
    const bob = (await t.anonymous().post('/admin/keys').set('Authorization', admin()).send({ name: 'bob', roles: ['analyst'] }).expect(201)).body;
    await t.anonymous().get('/me').set('Authorization', `Bearer ${bob.key}`).expect(200);
    const revoked = await t.anonymous().delete(`/admin/keys/${bob.id}`).set('Authorization', admin()).expect(200);
    expect(revoked.body).toMatchObject({ id: bob.id, name: 'bob', revokedAt: '2026-01-09T12:00:00.000Z', revokedBy: 'admin' });
    await new Promise((done) => setTimeout(done, 1000));
    const refused = await t.anonymous().get('/me').set('Authorization', `Bearer ${bob.key}`).expect(401);
    expect(refused.body).toMatchObject({ code: 'unauthenticated', message: 'the API key is unknown or revoked' });
    expect(refused.headers['www-authenticate']).toContain('error="invalid_token"');
    const grants = await t.http().get('/audit/events').query({ stream: 'access-keys', type: 'AccessKeyRevoked' }).expect(200);
    expect(grants.body.events).toEqual([expect.objectContaining({ data: { keyId: bob.id, name: 'bob' }, metadata: expect.objectContaining({ recordedBy: 'admin' }) })]);
    expect((await t.anonymous().delete(`/admin/keys/${bob.id}`).set('Authorization', admin()).expect(409)).body.code).toBe('access_key_already_revoked');
    expect((await t.anonymous().delete('/admin/keys/not-a-key').set('Authorization', admin()).expect(404)).body.code).toBe('access_key_not_found');
  });

  it.each([
    [{ name: '', roles: ['analyst'] }, 'name'],
    [{ name: 'x', roles: [] }, 'roles'],
    [{ name: 'x', roles: ['superuser'] }, 'roles'],
    [{ name: 'x' }, 'roles'],
    [{ name: 'x', roles: ['analyst'], key: 'chosen-secret' }, 'key'],
  ])('refuses to issue %j, naming %s, appending nothing', async (body, field) => {
    const head = await store.headPosition();
    const response = await t.anonymous().post('/admin/keys').set('Authorization', admin()).send(body).expect(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await store.headPosition()).toBe(head);
  });
});

describe('A revocation reaches every API process', () => {
  it('is refused by another process on the same database within a second', async () => {
    const a = await startTestApp();
    const b = await startTestApp({ databaseUrl: a.databaseUrl });
    try {
      const carol = (await a.http().post('/admin/keys').send({ name: 'carol', roles: ['analyst'] }).expect(201)).body;
      await b.anonymous().get('/me').set('Authorization', `Bearer ${carol.key}`).expect(200);
      await a.http().delete(`/admin/keys/${carol.id}`).expect(200);
      await new Promise((done) => setTimeout(done, 1000));
      await b.anonymous().get('/me').set('Authorization', `Bearer ${carol.key}`).expect(401);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('The first admin key', () => {
  it('is generated into DATA_DIR/admin.key (0600) on the first start of a store without keys, and only then', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stance-ledger-bootstrap-'));
    const first = await startTestApp({ env: { BOOTSTRAP_ADMIN_KEY: '', DATA_DIR: dataDir } });
    const file = join(dataDir, 'admin.key');
    try {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const key = readFileSync(file, 'utf8').trim();
      const me = await first.anonymous().get('/me').set('Authorization', `Bearer ${key}`).expect(200);
      expect(me.body).toEqual({ principal: 'admin', roles: ['admin'], via: 'key' });
      const grants = await first.http().get('/audit/streams/access-keys').expect(200);
      expect(grants.body.events[0]).toMatchObject({ type: 'AccessKeyIssued', data: { name: 'admin', roles: ['admin'] }, metadata: { recordedBy: 'stance-ledger bootstrap' } });
    } finally {
      await first.close();
    }
    // The same store again: it has keys, so none is made and the file is left as it was.
    const before = readFileSync(file, 'utf8');
    const second = await startTestApp({ databaseUrl: first.databaseUrl, env: { BOOTSTRAP_ADMIN_KEY: '', DATA_DIR: dataDir } });
    try {
      expect(readFileSync(file, 'utf8')).toBe(before);
      const keys = await second.http().get('/admin/keys').expect(200);
      expect(keys.body.keys.filter((key: { name: string }) => key.name === 'admin')).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('is BOOTSTRAP_ADMIN_KEY when set', async () => {
    const chosen = 'a-deployment-chose-this-key-0123456789_ABCDEF';
    const t = await startTestApp({ env: { BOOTSTRAP_ADMIN_KEY: chosen } });
    try {
      await t.anonymous().get('/admin/keys').set('Authorization', `Bearer ${chosen}`).expect(200);
    } finally {
      await t.close();
    }
  });
});
