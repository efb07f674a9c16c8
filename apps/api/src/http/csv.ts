import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

export function wantsCsv(accept: string | undefined): boolean {
  return /\btext\/csv\b/i.test(accept ?? '');
}

/** A CSV document: a header line, then one line per row. */
export function sendCsv(reply: FastifyReply, columns: string[], rows: unknown[][]): string {
  reply.header('Content-Type', 'text/csv; charset=utf-8');
  return stringify([columns, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : cell)))]);
}
