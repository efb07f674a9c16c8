import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

export function wantsCsv(accept: string | undefined): boolean {
  return /\btext\/csv\b/i.test(accept ?? '');
}

/** What a spreadsheet reads as the start of a formula (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell as it is written: text a spreadsheet would run as a formula gets a leading `'`, which
 * makes it text, as OWASP recommends; numbers (a score of -2) stay numbers.
 */
export function csvCell(cell: unknown): unknown {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** A CSV document: a header line, then one line per row. */
export function sendCsv(reply: FastifyReply, columns: string[], rows: unknown[][]): string {
  reply.header('Content-Type', 'text/csv; charset=utf-8');
  return stringify([columns, ...rows.map((row) => row.map(csvCell))]);
}
