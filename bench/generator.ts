import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { eventHash, GENESIS_HASH } from '@stance-ledger/event-store';
import { STANCES } from '@stance-ledger/domain';
import countries from 'i18n-iso-countries';
import { v5 as uuidv5 } from 'uuid';
import prand from 'pure-rand';

const NAMESPACE = '0b6f3c3e-6a55-4d3c-8c8e-3d1f4e2a9b70';
const WORDS = 'ceasefire troops guarantees monitoring coalition sovereignty deterrence mandate border sanctions logistics support summit declaration envoy peace force security alliance commitment'.split(' ');

/** 193 ISO alpha-2 codes (the generator's stand-in for the UN member states), in a fixed order. */
export function memberStates(): string[] {
  return Object.keys(countries.getAlpha2Codes()).sort().slice(0, 193);
}

/**
 * A deterministic history (same seed, same file): topics, then stance records over 193 countries
 * and 200 topics; about 10% recorded out of effective-date order, 3% corrections, 1% retractions;
 * payloads of realistic size. Written as an export file (valid hash chains), ready to import.
 */
export async function generateHistory(file: string, events: number, seed = 42): Promise<{ events: number; streams: number }> {
  // The generator is advanced in place (the same sequence as the pure API, without a copy per draw).
  const rng = prand.xoroshiro128plus(seed);
  const int = (min: number, max: number) => prand.unsafeUniformIntDistribution(min, max, rng);
  const text = (words: number) => Array.from({ length: words }, () => WORDS[int(0, WORDS.length - 1)]).join(' ');
  const states = memberStates();
  const topics = Array.from({ length: 200 }, (_, n) => `topic-${String(n).padStart(3, '0')}`);
  const heads = new Map<string, { revision: number; hash: string }>();
  const records: { country: string; id: string; topicId: string; retracted: boolean }[] = [];
  const out = createWriteStream(file);
  let position = 0;
  const base = Date.parse('2024-01-01T00:00:00Z');
  const write = async (stream: string, type: string, data: unknown, recordedAt: Date, id: string) => {
    const head = heads.get(stream) ?? { revision: -1, hash: GENESIS_HASH };
    const metadata = {
      schemaVersion: 1,
      recordedAt: recordedAt.toISOString(),
      recordedBy: 'bench',
      commandId: id,
      correlationId: id,
      causationId: id,
      commandHash: id,
    };
    const hash = eventHash(head.hash, { type, data, metadata });
    heads.set(stream, { revision: head.revision + 1, hash });
    position += 1;
    const line = { position: String(position), stream, revision: String(head.revision + 1), eventId: id, type, data, metadata: { ...metadata, previousHash: head.hash, hash } };
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  for (const [n, topicId] of topics.entries()) {
    const id = uuidv5(`topic/${n}`, NAMESPACE);
    await write(`topic-${topicId}`, 'TopicDefined', { topicId, title: `Topic ${n}: ${text(5)}`, description: text(40) }, new Date(base), id);
    if (position >= events) break;
  }
  let day = 0;
  while (position < events) {
    const n = position;
    const recordedAt = new Date(base + n * 60_000);
    const roll = int(0, 99);
    const id = uuidv5(`event/${n}`, NAMESPACE);
    if (roll < 3 && records.length > 0) {
      const target = records[int(0, records.length - 1)];
      if (!target.retracted) {
        await write(`country-${target.country}`, 'StanceCorrected', { country: target.country, recordId: target.id, topicId: target.topicId, changes: { stance: STANCES[int(0, 4)], conditions: text(8) }, reason: text(12) }, recordedAt, id);
        continue;
      }
    }
    if (roll === 3 && records.length > 0) {
      const target = records[int(0, records.length - 1)];
      if (!target.retracted) {
        target.retracted = true;
        await write(`country-${target.country}`, 'StanceRetracted', { country: target.country, recordId: target.id, topicId: target.topicId, reason: text(12) }, recordedAt, id);
        continue;
      }
    }
    day = Math.min(day + (int(0, 9) === 0 ? 1 : 0), 3650);
    // About one in ten records concerns an earlier day than those recorded before it.
    const effective = roll >= 90 ? Math.max(0, day - int(1, 60)) : day;
    const country = states[int(0, states.length - 1)];
    const topicId = topics[int(0, topics.length - 1)];
    records.push({ country, id, topicId, retracted: false });
    await write(
      `country-${country}`,
      'StanceRecorded',
      {
        country,
        topicId,
        stance: STANCES[int(0, 4)],
        effectiveOn: new Date(base + effective * 86_400_000).toISOString().slice(0, 10),
        headline: `${country} ${text(6)}`,
        summary: text(40),
        conditions: int(0, 3) === 0 ? text(8) : null,
        commitment: int(0, 4) === 0 ? text(5) : null,
        source: { publisher: 'Bench Wire', title: text(10), url: `https://example.org/${n}`, publishedOn: null, quote: text(30), speaker: `Speaker ${int(1, 500)}` },
      },
      recordedAt,
      id,
    );
  }
  out.end();
  await once(out, 'finish');
  return { events: position, streams: heads.size };
}
