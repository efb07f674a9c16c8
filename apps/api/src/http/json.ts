import type { FastifyReply } from 'fastify';

/**
 * Sends an object written from its first members, in order, then `rest`: members already in JSON
 * (a cached answer), without the braces. The same bytes and Content-Type as returning the object.
 */
export function sendJson(reply: FastifyReply, members: [name: string, value: unknown][], rest: string): string {
  reply.header('Content-Type', 'application/json; charset=utf-8');
  return `{${members.map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)},`).join('')}${rest}}`;
}
