import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import fc from 'fast-check';
import {
  AsOfQuery,
  CorrectStanceRequest,
  DefineTopicRequest,
  HistoryQuery,
  RecordStanceRequest,
  RetractStanceRequest,
  ShiftsQuery,
  StreamQuery,
  TimelineQuery,
} from '@stance-ledger/application';
import { passesEveryRule } from './gathered-rules';
import { requestValidationPipe } from './memoized-validation.pipe';

/** The options the API's pipe validates with. */
const OPTIONS = { whitelist: true, forbidNonWhitelisted: true };

/** Values near every rule's edge: good and bad dates, slugs, stances, positions, lengths, types, nulls. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('2026-01-06', '2026-02-30', '2026-1-6', '2026-01-07T12:00:00Z', '2026-01-07T12:00:00', 'open', 'supports', 'maybe', 'topic-007', 'Topic 7', '', ' ', '42', '-1', '1e3', 'https://example.org/a', 'ftp://x', 'AFP', 'true', 'yes', 'country-ES'),
  fc.string({ maxLength: 12 }),
  fc.integer({ min: 0, max: 5001 }).map((length) => 'x'.repeat(length)),
  fc.constantFrom(null, undefined, true, 0, 42, 1001, -1, 1.5, [], ['open'], {}),
  fc.dictionary(fc.constantFrom('publisher', 'url', 'quote', 'title', 'colour'), fc.oneof(fc.constantFrom('AFP', '', 'https://a.org', null, 3), fc.string({ maxLength: 6 })), { maxKeys: 3 }),
);

const SOURCE = { publisher: 'AFP', title: 'Summit', url: 'https://example.org/r', publishedOn: '2026-01-06', quote: 'q', speaker: 'PM' };

/** For each class, a value that passes, and the fields to break it at (`source.x`: inside the source). */
const CASES: [string, unknown, Record<string, unknown>][] = [
  ['RecordStanceRequest', RecordStanceRequest, { topicId: 'topic-007', stance: 'open', effectiveOn: '2026-01-06', headline: 'h', summary: 's', conditions: 'c', commitment: 'm', source: SOURCE }],
  ['CorrectStanceRequest', CorrectStanceRequest, { stance: 'supports', effectiveOn: '2026-01-07', headline: 'h', summary: null, conditions: 'c', commitment: null, source: SOURCE, reason: 'r' }],
  ['RetractStanceRequest', RetractStanceRequest, { reason: 'r' }],
  ['DefineTopicRequest', DefineTopicRequest, { id: 'topic-007', title: 't', description: 'd' }],
  ['AsOfQuery', AsOfQuery, { on: '2026-01-07', knownAt: '2026-01-07T12:00:00Z', minPosition: '42' }],
  ['TimelineQuery', TimelineQuery, { topicId: 'topic-007', from: '2025-01-01', to: '2026-01-07', includeRetracted: 'true' }],
  ['ShiftsQuery', ShiftsQuery, { from: '2025-01-01', to: '2026-01-07' }],
  ['HistoryQuery', HistoryQuery, { afterPosition: '0', limit: '100', stream: 'country-ES', type: 'StanceRecorded', recordedFrom: '2026-01-01T00:00:00Z', recordedTo: '2026-01-07T00:00:00Z' }],
  ['StreamQuery', StreamQuery, { fromRevision: '0', limit: '10' }],
];

/** The passing value with up to three fields set to anything, removed, or added. */
function broken(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const fields = [...Object.keys(base), 'colour', ...('source' in base ? Object.keys(SOURCE).map((field) => `source.${field}`).concat('source.colour') : [])];
  return fc.array(fc.tuple(fc.constantFrom(...fields), value, fc.boolean()), { maxLength: 3 }).map((changes) => {
    const plain = structuredClone(base);
    for (const [field, to, remove] of changes) {
      const [outer, inner] = field.split('.');
      const target = inner === undefined ? plain : (plain[outer] as Record<string, unknown> | null);
      if (target === null || typeof target !== 'object') continue;
      const key = inner ?? outer;
      if (remove) delete target[key];
      else target[key] = to;
    }
    return plain;
  });
}

describe('Rules gathered once per class', () => {
  it.each(CASES)('say a %s passes only when class-validator finds nothing wrong', async (_name, dto, base) => {
    let passed = 0;
    await fc.assert(
      fc.asyncProperty(broken(base), async (plain) => {
        const instance = plainToInstance(dto as never, structuredClone(plain)) as object;
        if (!passesEveryRule(instance)) return;
        passed += 1;
        expect(await validate(instance, OPTIONS)).toEqual([]);
      }),
      { numRuns: 500 },
    );
    // Not a property that holds for want of cases: many of the values pass.
    expect(passed).toBeGreaterThan(50);
  });

  it('let the bodies of commands through without class-validator, and the same instance out of the pipe', async () => {
    const record = { topicId: 'topic-007', stance: 'open', effectiveOn: '2026-01-06', headline: 'Spain opens door to troops', source: { publisher: 'AFP', url: 'https://example.org/r' } };
    const instance = plainToInstance(RecordStanceRequest, structuredClone(record));
    expect(passesEveryRule(instance)).toBe(true);
    expect(passesEveryRule(plainToInstance(CorrectStanceRequest, { summary: null, reason: 'wrong day', effectiveOn: '2026-01-07' }))).toBe(true);
    expect(passesEveryRule(plainToInstance(RetractStanceRequest, { reason: 'misattributed' }))).toBe(true);
    const piped = await requestValidationPipe().transform(structuredClone(record), { type: 'body', metatype: RecordStanceRequest, data: undefined });
    expect(piped).toBeInstanceOf(RecordStanceRequest);
    expect(JSON.parse(JSON.stringify(piped))).toEqual(record);
  });

  it('leave a broken rule, an unknown field or a bad nested source to class-validator, which names them', async () => {
    const good = { topicId: 'topic-007', stance: 'open', effectiveOn: '2026-01-06', headline: 'h', source: { publisher: 'AFP' } };
    for (const bad of [{ ...good, stance: 'maybe' }, { ...good, colour: 'red' }, { ...good, source: { publisher: '' } }, { ...good, source: { publisher: 'AFP', colour: 'red' } }, { ...good, source: null }]) {
      const instance = plainToInstance(RecordStanceRequest, structuredClone(bad));
      expect(passesEveryRule(instance)).toBe(false);
      expect((await validate(instance, OPTIONS)).length).toBeGreaterThan(0);
    }
  });
});
