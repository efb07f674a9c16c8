import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { READ_MODEL_PROJECTIONS } from './projections';
import { Projector } from './projector';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const metadata = (recordedAt: string) => ({ schemaVersion: 1, recordedAt, recordedBy: 'spec', commandId: randomUUID(), correlationId: 'spec', causationId: randomUUID(), commandHash: 'x' });

/** Payloads at the edges of what the projector accepts: nulls, absent optional fields, odd text. */
const payloads = [
  { stance: 'open', effectiveOn: '2026-01-06', headline: 'Spain opens door', summary: null, conditions: null, commitment: null, source: { publisher: 'AFP', title: null, url: null, publishedOn: null, quote: null, speaker: null } },
  { stance: 'opposes', effectiveOn: '2024-02-29', headline: 'Paris « plusieurs milliers » — 数千 "quoted" \\ back', summary: 'Summary ünïcödé', conditions: 'only under a UN mandate', commitment: '', source: { publisher: 'Reuters', url: 'https://example.org/a?b=c', quote: 'q', extra: { nested: [1, 2] } } },
  { stance: 'supports', effectiveOn: '2026-12-31', headline: 'Absent optional fields', source: { publisher: 'Le Monde' } },
];

describe('Version 0 of a record, written in SQL by its batch', () => {
  it('is the same whether or not a revision in the same batch rebuilds the record\'s versions', async () => {
    const { url, dataSource } = await createMigratedDatabase('first_version');
    const store = new PostgresEventStore({ connectionString: url });
    try {
      const pairs: { plain: string; touched: string }[] = [];
      for (const [n, payload] of payloads.entries()) {
        const recordedAt = `2026-01-0${n + 1}T10:00:00.123Z`;
        const data = { country: 'ES', topicId: 'force', ...payload };
        const plain = randomUUID();
        const touched = randomUUID();
        pairs.push({ plain, touched });
        await store.appendToStream('country-ES', [
          { eventId: plain, type: 'StanceRecorded', data, metadata: metadata(recordedAt) },
          { eventId: touched, type: 'StanceRecorded', data, metadata: metadata(recordedAt) },
          // Retracting the twin in the same batch makes the projector rebuild its versions from all its rows.
          { eventId: randomUUID(), type: 'StanceRetracted', data: { country: 'ES', topicId: 'force', recordId: touched, reason: 'r' }, metadata: metadata('2026-02-01T00:00:00Z') },
        ], { expectedRevision: 'any' });
      }
      await new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent).catchUp();

      const versionZero = async (recordId: string) => {
        const rows = await dataSource.query(`SELECT * FROM stance_versions WHERE record_id = $1 AND version = 0`, [recordId]);
        expect(rows).toHaveLength(1);
        const { record_id: _id, known_until: _until, ...rest } = rows[0];
        return rest;
      };
      for (const { plain, touched } of pairs) {
        expect(await versionZero(plain)).toEqual(await versionZero(touched));
      }
      const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM stance_versions WHERE known_until IS NULL AND NOT retracted`);
      expect(count).toBe(payloads.length);
    } finally {
      await store.close();
      await dataSource.destroy();
    }
  });
});
