import { createMigratedDatabase } from '../../../test/support/test-database';
import { READ_MODEL_ENTITIES } from './entities';

/**
 * The entities are the one definition of the read-model rows: the reads select their columns
 * from them (entity-columns.ts) and type their rows with them. The migrations make the tables;
 * this holds the two the same.
 */
describe('The read-model entities', () => {
  it('describe the tables the migrations make: TypeORM finds nothing to change', async () => {
    const { dataSource } = await createMigratedDatabase('entities');
    try {
      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
      const tables = READ_MODEL_ENTITIES.map((entity) => dataSource.getMetadata(entity).tableName);
      const touching = upQueries.map((query) => query.query).filter((query) => tables.some((table) => query.includes(`"${table}"`)));
      expect(touching).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });
});
