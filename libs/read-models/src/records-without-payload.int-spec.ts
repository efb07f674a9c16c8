import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { READ_MODEL_PROJECTIONS } from './projections';
import { Projector } from './projector';
import { StanceRecordsWithoutPayload1767657600010 } from './records-without-payload.migration';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const metadata = (recordedAt: string) => ({ schemaVersion: 1, recordedAt, recordedBy: 'spec', commandId: randomUUID(), correlationId: 'spec', causationId: randomUUID(), commandHash: 'x' });

describe('Stance records without their payload (version 0 holds it)', () => {
  it('gives the payload back from version 0 on the way down, and refuses to drop it from a record that has no version 0', async () => {
    const { url, dataSource } = await createMigratedDatabase('records_without_payload');
    const store = new PostgresEventStore({ connectionString: url });
    const runner = dataSource.createQueryRunner();
    const migration = new StanceRecordsWithoutPayload1767657600010();
    try {
      const data = {
        country: 'ES', topicId: 'force', stance: 'open', effectiveOn: '2026-01-06', headline: 'Spain opens door « troupes »',
        summary: 'Under conditions', conditions: null, commitment: 'troops', source: { publisher: 'AFP', url: 'https://example.org/a', quote: 'q' },
      };
      const recordId = randomUUID();
      await store.appendToStream('country-ES', [
        { eventId: recordId, type: 'StanceRecorded', data, metadata: metadata('2026-01-06T10:00:00Z') },
        // A later version must not leak into what the record said.
        { eventId: randomUUID(), type: 'StanceCorrected', data: { country: 'ES', topicId: 'force', recordId, changes: { stance: 'supports', headline: 'changed' }, reason: 'r' }, metadata: metadata('2026-01-07T10:00:00Z') },
      ], { expectedRevision: 'any' });
      await new Projector(store, dataSource, READ_MODEL_PROJECTIONS, silent).catchUp();
      const columns = async () => (await dataSource.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'stance_records' ORDER BY ordinal_position`)).map((row: { column_name: string }) => row.column_name);
      expect(await columns()).not.toContain('recorded');

      await migration.down(runner);
      const [{ recorded }] = await dataSource.query(`SELECT recorded FROM stance_records WHERE record_id = $1`, [recordId]);
      expect(recorded).toEqual(data);

      await dataSource.query(`DELETE FROM stance_versions WHERE record_id = $1 AND version = 0`, [recordId]);
      await expect(migration.up(runner)).rejects.toThrow('1 stance records have no version 0');
      expect(await columns()).toContain('recorded');
    } finally {
      await runner.release();
      await store.close();
      await dataSource.destroy();
    }
  });
});
