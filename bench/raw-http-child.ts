/**
 * The raw limit of an HTTP append: a bare node:http server that takes the same POST body and
 * commits it as one single-row INSERT (the body as the event's data, metadata of the same shape
 * as ours: ids, times, hashes), on as many connections as the load has in flight. No framework,
 * no validation, no hash chain, no read model: what the machine gives an HTTP write with nothing
 * of ours in it. Args: databaseUrl. Prints `{"port": N}` once listening; closes on SIGTERM.
 * Its table is in a schema of its own, dropped when it stops.
 * GET /health answers as ours does once its read models are level (it has none).
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { Pool } from 'pg';

async function main(): Promise<void> {
  const [databaseUrl] = process.argv.slice(2);
  const pool = new Pool({ connectionString: databaseUrl, max: 16 });
  await pool.query(`CREATE SCHEMA IF NOT EXISTS raw_http; DROP TABLE IF EXISTS raw_http.events; CREATE TABLE raw_http.events (id bigserial PRIMARY KEY, stream text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL)`);
  const hex = createHash('sha256').update('raw').digest('hex');
  const server = http.createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method === 'GET') return answer(200, { status: 'ok', details: { projection: { lag: '0', caughtUp: true } } });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const stream = `country-${request.url?.split('/')[2] ?? ''}`;
      const id = randomUUID();
      const metadata = { schemaVersion: 1, recordedAt: new Date().toISOString(), recordedBy: 'bench', commandId: id, correlationId: id, causationId: id, commandHash: hex, previousHash: hex, hash: hex };
      pool
        .query<{ id: string }>(`INSERT INTO raw_http.events (stream, data, metadata) VALUES ($1, $2::jsonb, $3::jsonb) RETURNING id::text`, [stream, Buffer.concat(chunks).toString(), JSON.stringify(metadata)])
        .then(
          ({ rows }) => answer(201, { eventId: id, stream, position: rows[0].id }),
          (error: Error) => answer(500, { message: error.message }),
        );
    });
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`));
  process.once('SIGTERM', () => server.close(() => void pool.query('DROP SCHEMA raw_http CASCADE').finally(() => pool.end()).then(() => process.exit(0))));
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
