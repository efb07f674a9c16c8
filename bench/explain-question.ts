/**
 * EXPLAIN (ANALYZE, BUFFERS) of one analyst question's statement, as the service prepares it:
 *   node -r ts-node/register/transpile-only -r tsconfig-paths/register bench/explain-question.ts DATABASE_URL NAME PARAMETERS…
 * NAME and PARAMETERS as analystStatementText lists them, e.g. stances_in_force FR 2033-12-20 2025-06-01T00:00:00Z.
 */
import { type AnalystStatement, analystStatementText } from '@stance-ledger/read-models';
import { Client } from 'pg';

async function main(): Promise<void> {
  const [url, name, ...parameters] = process.argv.slice(2);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query({ name: 'question', text: analystStatementText(name as AnalystStatement), values: parameters });
    const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
    const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) EXECUTE question(${parameters.map(literal).join(', ')})`);
    process.stdout.write(`${rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')}\n`);
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
