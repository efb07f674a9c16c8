import { ChainVerifier } from '@stance-ledger/audit';
import { type CountryRegistry, type CountryStanceCommand, parseCorrectStance, parseCountryCode, parseRecordStance } from '@stance-ledger/domain';
import { PostgresEventStore } from '@stance-ledger/event-store';
import { createMigratedDatabase } from '../../../../test/support/test-database';
import { commandContext } from './command-context';
import { handleCountryCommand } from './country-stream-handler';
import { DecidedStates } from './decided-states';

const countries: CountryRegistry = { isAssigned: (code) => code === 'ES', nameOf: () => undefined };
const clock = { now: () => new Date('2026-01-09T10:00:00Z') };
const spain = parseCountryCode('ES', countries);
const record = (headline: string): CountryStanceCommand => ({
  type: 'RecordStance',
  data: parseRecordStance(spain, { topicId: 'ukraine-multinational-force', stance: 'open', effectiveOn: '2026-01-06', headline, source: { publisher: 'El País' } }),
});

/** What a process that has just started does on a stream written before it: nothing of it is cached. */
describe('Commands on a stream this process has never folded', () => {
  it('records after reading only the last event, chained to it; a correction then folds the stream and finds an earlier record', async () => {
    const { url, dataSource } = await createMigratedDatabase('cold_stream');
    await dataSource.destroy();
    const store = new PostgresEventStore({ connectionString: url });
    const run = (states: DecidedStates, command: CountryStanceCommand) => handleCountryCommand({ store, states, clock, command, meta: commandContext({}) });
    try {
      const before = new DecidedStates();
      const first = await run(before, record('first'));
      await run(before, record('second'));

      const restarted = new DecidedStates();
      const reads = jest.spyOn(store, 'readStream');
      const third = await run(restarted, record('third'));
      expect(reads.mock.calls).toEqual([['country-ES', { direction: 'backwards', maxCount: 1 }]]);
      expect(third.revision).toBe(2n);
      await run(restarted, record('fourth'));
      expect(reads).toHaveBeenCalledTimes(1);

      const correction = await run(restarted, { type: 'CorrectStance', data: parseCorrectStance(spain, { recordId: first.eventId, changes: { stance: 'supports' }, reason: 'full interview' }) });
      expect(correction.revision).toBe(4n);
      expect(reads.mock.calls[1]).toEqual(['country-ES']);
      reads.mockRestore();

      const chains = new ChainVerifier();
      const stream = await store.readStream('country-ES');
      for (const event of stream) chains.check(event);
      expect(stream.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(chains.breaks).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
