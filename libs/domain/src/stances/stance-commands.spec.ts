import { type CountryRegistry, parseCountryCode } from '../shared/country';
import { InvalidValueError } from '../shared/errors';
import { parseCorrectStance, parseRecordStance, parseRetractStance, type RecordStanceInput, type StanceChangesInput } from './stance-commands';

const registry: CountryRegistry = {
  isAssigned: (code) => ['ES', 'FR', 'IT'].includes(code),
  nameOf: () => undefined,
};
const spain = parseCountryCode('ES', registry);

/** How a value that breaks a rule is refused where it enters: naming the field and the rule. */
function expectRefused(parse: () => unknown, match: { field: string; rule?: string }): void {
  expect(parse).toThrow(InvalidValueError);
  expect(parse).toThrow(expect.objectContaining(match));
}

describe('Parsing a stance record', () => {
  type RecordRequest = RecordStanceInput & { country: string };
  const request: RecordRequest = {
    country: 'es',
    topicId: 'ukraine-multinational-force',
    stance: 'open',
    effectiveOn: '2026-01-06',
    headline: ' Spain opens door to troops ',
    source: { publisher: 'El País', quote: '  ' },
  };
  const parse = ({ country, ...input }: RecordRequest) => parseRecordStance(parseCountryCode(country, registry), input);

  it('normalises the country code, trims texts and makes absent or blank fields null', () => {
    expect(parse(request)).toMatchObject({
      country: 'ES',
      headline: 'Spain opens door to troops',
      summary: null,
      source: { publisher: 'El País', title: null, url: null, publishedOn: null, quote: null, speaker: null },
    });
  });

  it.each([
    [{ country: 'XX' }, 'country', 'isIso3166Alpha2'],
    [{ country: 'ESP' }, 'country', 'isIso3166Alpha2'],
    [{ stance: 'maybe' }, 'stance', 'isStance'],
    [{ effectiveOn: '2026-02-30' }, 'effectiveOn', 'isCalendarDate'],
    [{ effectiveOn: '06/01/2026' }, 'effectiveOn', 'isCalendarDate'],
    [{ headline: ' ' }, 'headline', 'isNotEmpty'],
    [{ headline: 'h'.repeat(301) }, 'headline', 'maxLength'],
    [{ topicId: 'Not A Slug' }, 'topicId', 'isSlug'],
    [{ source: { publisher: '' } }, 'source.publisher', 'isNotEmpty'],
    [{ source: { publisher: 'AFP', url: 'ftp://example.org' } }, 'source.url', 'isUrl'],
    [{ source: { publisher: 'AFP', publishedOn: '2026-13-01' } }, 'source.publishedOn', 'isCalendarDate'],
  ] as [Partial<RecordRequest>, string, string][])('rejects %j: %s breaks %s', (data, field, rule) => {
    expectRefused(() => parse({ ...request, ...data }), { field, rule });
  });

  it('reports a malformed request before an unknown topic: it is refused where it enters, before any decision', () => {
    expectRefused(() => parse({ ...request, topicId: 'no-such-topic', stance: 'maybe' }), { field: 'stance' });
  });
});

describe('Parsing a correction', () => {
  const correct = (changes: StanceChangesInput, reason = 'The quote was from the 7 January interview') =>
    parseCorrectStance(spain, { recordId: 'record-1', changes, reason });

  it('keeps only the fields it changes, null clearing one', () => {
    expect(correct({ summary: null, stance: 'undecided', headline: undefined })).toEqual({
      country: 'ES',
      recordId: 'record-1',
      changes: { stance: 'undecided', summary: null },
      reason: 'The quote was from the 7 January interview',
    });
  });

  it('requires at least one change', () => {
    expectRefused(() => correct({}), { field: 'correction', rule: 'atLeastOneChange' });
  });

  it('requires a reason', () => {
    expectRefused(() => correct({ stance: 'open' }, '  '), { field: 'reason', rule: 'isNotEmpty' });
  });

  it.each([
    [{ stance: 'maybe' }, 'stance', 'isStance'],
    [{ headline: '' }, 'headline', 'isNotEmpty'],
    [{ source: { publisher: '' } }, 'source.publisher', 'isNotEmpty'],
  ] as [StanceChangesInput, string, string][])('rejects the change %j', (changes, field, rule) => {
    expectRefused(() => correct(changes), { field, rule });
  });
});

describe('Parsing a retraction', () => {
  it('requires a reason', () => {
    expectRefused(() => parseRetractStance(spain, { recordId: 'record-1', reason: '' }), { field: 'reason' });
  });
});
