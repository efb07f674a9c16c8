import { createMigratedDatabase } from '../../../../test/support/test-database';
import { EventStoreDropSupersededAppends1767657600012 } from './drop-superseded-appends.migration';

describe('EventStoreDropSupersededAppends', () => {
  it('leaves the log only the functions the store calls, and its down brings the superseded ones back', async () => {
    const { dataSource } = await createMigratedDatabase('drop_superseded_appends');
    const functions = async () =>
      (await dataSource.query(`SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'event_store' ORDER BY 1`)).map(
        ({ name }: { name: string }) => name,
      );
    const runner = dataSource.createQueryRunner();
    try {
      expect(await functions()).toEqual(['append_group', 'import_page']);
      await new EventStoreDropSupersededAppends1767657600012().down(runner);
      expect(await functions()).toEqual(['append_batch', 'append_group', 'append_in_order', 'append_to_stream', 'import_page']);
      await new EventStoreDropSupersededAppends1767657600012().up(runner);
      expect(await functions()).toEqual(['append_group', 'import_page']);
    } finally {
      await runner.release();
      await dataSource.destroy();
    }
  });
});
