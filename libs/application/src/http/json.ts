import type { Answer } from '../answers/answer';
import type { FastifyReply } from 'fastify';

/**
 * Sends `{...head, ...answer.value}` as JSON: the same bytes and Content-Type as returning that
 * object, with the answer's members copied from its encoding (kept with a cached answer) instead
 * of being serialised again for every request.
 */
export function sendJson(reply: FastifyReply, head: Record<string, unknown>, answer: Answer<object>): Buffer {
  reply.header('Content-Type', 'application/json; charset=utf-8');
  const body = answer.json;
  const headJson = JSON.stringify(head);
  if (body.length <= 2) return Buffer.from(headJson);
  const open = Buffer.from(headJson.length <= 2 ? '{' : `${headJson.slice(0, -1)},`);
  return Buffer.concat([open, body.subarray(1)], open.length + body.length - 1);
}
