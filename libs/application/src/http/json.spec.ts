import { Answer } from '@stance-ledger/application';
import type { FastifyReply } from 'fastify';
import { sendJson } from './json';

describe('sendJson', () => {
  const reply = () => {
    const headers: Record<string, string> = {};
    return { headers, reply: { header: (name: string, value: string) => (headers[name] = value) } as unknown as FastifyReply };
  };

  it('sends the bytes JSON.stringify makes of the head and the answer together', () => {
    const head = { country: 'ES', countryName: 'España', knownAt: '2026-01-09T12:00:00.000Z', position: '21', missing: undefined, none: null };
    const value = { stances: [{ headline: 'Quote "this" – ünïcode ✓', score: -2, source: { url: null } }], counts: { open: 1 } };
    const { headers, reply: sent } = reply();
    expect(sendJson(sent, head, new Answer(21n, value)).toString()).toBe(JSON.stringify({ ...head, ...value }));
    expect(headers['Content-Type']).toBe('application/json; charset=utf-8');
  });

  it('stands an empty head or an empty answer', () => {
    expect(sendJson(reply().reply, {}, new Answer(1n, { entries: [] })).toString()).toBe('{"entries":[]}');
    expect(sendJson(reply().reply, { position: '1' }, new Answer(1n, {})).toString()).toBe('{"position":"1"}');
    expect(sendJson(reply().reply, {}, new Answer(1n, {})).toString()).toBe('{}');
  });
});
