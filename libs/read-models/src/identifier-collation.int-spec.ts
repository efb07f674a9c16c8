import type { DataSource } from 'typeorm';
import { createMigratedDatabase } from '../../../test/support/test-database';
import { ReadModelsIdentifierCollation1767657600008 } from './identifier-collation.migration';

/** The collation of every country and topic column of the read models ('' for the database's default). */
async function identifierCollations(dataSource: DataSource): Promise<string[]> {
  const rows: { column: string }[] = await dataSource.query(
    `SELECT c.relname || '.' || a.attname || ' ' || coalesce(nullif(co.collname, 'default'), '') AS column
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
      WHERE n.nspname = 'public' AND a.attname IN ('country', 'topic_id') AND c.relkind = 'r'
      ORDER BY 1`,
  );
  return rows.map(({ column }) => column.trim());
}

describe('Identifiers of the read models compare byte by byte', () => {
  it('gives every country and topic column collation "C", indexes and all, and takes it back on the way down', async () => {
    const { dataSource } = await createMigratedDatabase('identifier_collation');
    try {
      const migrated = ['stance_records.country C', 'stance_records.topic_id C', 'stance_versions.country C', 'stance_versions.topic_id C', 'topics.topic_id C'];
      expect(await identifierCollations(dataSource)).toEqual(migrated);
      // The query indexes follow their columns: byte order, and still chosen for an equality on the column.
      const [plan] = await dataSource.query(`EXPLAIN (FORMAT JSON) SELECT * FROM stance_versions WHERE country = $1 AND topic_id = $2`, ['FR', 'force']);
      expect(JSON.stringify(plan)).toMatch(/"Index Name":"stance_versions_(country|topic)"/);
      const runner = dataSource.createQueryRunner();
      try {
        await new ReadModelsIdentifierCollation1767657600008().down(runner);
        expect(await identifierCollations(dataSource)).toEqual(migrated.map((column) => column.replace(/ C$/, '')));
      } finally {
        await runner.release();
      }
    } finally {
      await dataSource.destroy();
    }
  });
});
