import { deciderSpecification } from '../../../../test/support/decider-specification';
import type { StanceRecorded } from '../events';
import type { CountryRegistry } from '../shared/country';
import { InvalidValueError, StanceAlreadyRetractedError, StanceRecordNotFoundError, TopicNotDefinedError } from '../shared/errors';
import { type CorrectStance, type CountryStanceContext, countryStancesDecider, type RecordStance, type RetractStance } from './country-stances.decider';

const registry: CountryRegistry = {
  isAssigned: (code) => ['ES', 'FR', 'IT'].includes(code),
  nameOf: () => undefined,
};

let context: CountryStanceContext;
beforeEach(() => {
  context = { now: new Date('2026-01-09T10:00:00Z'), topicIsDefined: true, countries: registry };
});
const spec = deciderSpecification(countryStancesDecider, () => context);

const spainOpensDoor: RecordStance = {
  type: 'RecordStance',
  data: {
    country: 'es',
    topicId: 'ukraine-multinational-force',
    stance: 'open',
    effectiveOn: '2026-01-06',
    headline: 'Spain opens door to troops',
    source: {
      publisher: 'El País',
      quote: "If we've done it in other regions, why shouldn't we do it in Europe?",
      speaker: 'Pedro Sánchez',
    },
  },
};

const doorOpened = {
  type: 'StanceRecorded',
  data: {
    country: 'ES',
    topicId: 'ukraine-multinational-force',
    stance: 'open',
    effectiveOn: '2026-01-06',
    headline: 'Spain opens door to troops',
    summary: null,
    conditions: null,
    commitment: null,
    source: {
      publisher: 'El País',
      title: null,
      url: null,
      publishedOn: null,
      quote: "If we've done it in other regions, why shouldn't we do it in Europe?",
      speaker: 'Pedro Sánchez',
    },
  },
} as StanceRecorded;

const withData = (data: Partial<RecordStance['data']>): RecordStance => ({
  type: 'RecordStance',
  data: { ...spainOpensDoor.data, ...data },
});

describe('RecordStance', () => {
  it('records a stance on a defined topic, normalising the country code and absent fields', () => {
    spec.given([]).when(spainOpensDoor).then([doorOpened]);
  });

  it('records further stances of the same country', () => {
    spec.given([doorOpened]).when(withData({ effectiveOn: '2026-01-07', stance: 'supports' })).then([
      { ...doorOpened, data: { ...doorOpened.data, effectiveOn: '2026-01-07' as never, stance: 'supports' } },
    ]);
  });

  it('decides without the state: the same events after any history, so a stream need not be folded to record on it', () => {
    const retracted = { type: 'StanceRetracted', data: { country: 'ES', recordId: 'event-0', topicId: 'ukraine-multinational-force', reason: 'r' } } as never;
    spec.given([doorOpened, retracted, doorOpened]).when(spainOpensDoor).then([doorOpened]);
    expect(countryStancesDecider.readsState?.(spainOpensDoor)).toBe(false);
  });

  it('accepts a stance effective today', () => {
    spec.given([]).when(withData({ effectiveOn: '2026-01-09' })).then([
      { ...doorOpened, data: { ...doorOpened.data, effectiveOn: '2026-01-09' as never } },
    ]);
  });

  it('refuses a topic that is not defined', () => {
    context.topicIsDefined = false;
    spec.given([]).when(spainOpensDoor).thenThrows(TopicNotDefinedError, { topicId: 'ukraine-multinational-force' });
  });

  it.each([
    [{ country: 'XX' }, 'country', 'isIso3166Alpha2'],
    [{ country: 'ESP' }, 'country', 'isIso3166Alpha2'],
    [{ stance: 'maybe' }, 'stance', 'isStance'],
    [{ effectiveOn: '2026-02-30' }, 'effectiveOn', 'isCalendarDate'],
    [{ effectiveOn: '06/01/2026' }, 'effectiveOn', 'isCalendarDate'],
    [{ effectiveOn: '2026-01-10' }, 'effectiveOn', 'notInFuture'],
    [{ headline: ' ' }, 'headline', 'isNotEmpty'],
    [{ headline: 'h'.repeat(301) }, 'headline', 'maxLength'],
    [{ topicId: 'Not A Slug' }, 'topicId', 'isSlug'],
    [{ source: { publisher: '' } }, 'source.publisher', 'isNotEmpty'],
    [{ source: { publisher: 'AFP', url: 'ftp://example.org' } }, 'source.url', 'isUrl'],
    [{ source: { publisher: 'AFP', publishedOn: '2026-13-01' } }, 'source.publishedOn', 'isCalendarDate'],
    [{ source: { publisher: 'AFP', publishedOn: '2026-02-01' } }, 'source.publishedOn', 'notInFuture'],
  ] as [Partial<RecordStance['data']>, string, string][])('rejects %j: %s breaks %s', (data, field, rule) => {
    spec.given([]).when(withData(data)).thenThrows(InvalidValueError, { field, rule });
  });

  it('reports a malformed request before an unknown topic', () => {
    context.topicIsDefined = false;
    spec.given([]).when(withData({ stance: 'maybe' })).thenThrows(InvalidValueError, { field: 'stance' });
  });
});

describe('CorrectStance', () => {
  const recorded = { ...doorOpened, eventId: 'record-1' };
  const correct = (changes: CorrectStance['data']['changes'], reason = 'The quote was from the 7 January interview'): CorrectStance => ({
    type: 'CorrectStance',
    data: { country: 'ES', recordId: 'record-1', changes, reason },
  });

  it('corrects fields of an earlier record, naming the record, its topic and the reason', () => {
    spec.given([recorded]).when(correct({ effectiveOn: '2026-01-07', conditions: '  only under a UN mandate ' })).then([
      {
        type: 'StanceCorrected',
        data: {
          country: 'ES' as never,
          recordId: 'record-1',
          topicId: 'ukraine-multinational-force' as never,
          changes: { effectiveOn: '2026-01-07' as never, conditions: 'only under a UN mandate' },
          reason: 'The quote was from the 7 January interview',
        },
      },
    ]);
  });

  it('can clear an optional field', () => {
    spec.given([recorded]).when(correct({ summary: null })).then([
      expect.objectContaining({ data: expect.objectContaining({ changes: { summary: null } }) }) as never,
    ]);
  });

  it('applies on top of earlier corrections', () => {
    const first = { type: 'StanceCorrected', eventId: 'correction-1', data: { country: 'ES', recordId: 'record-1', topicId: 'ukraine-multinational-force', changes: { stance: 'supports' }, reason: 'r' } } as never;
    spec.given([recorded, first]).when(correct({ stance: 'skeptical' })).then([
      expect.objectContaining({ type: 'StanceCorrected', data: expect.objectContaining({ recordId: 'record-1', changes: { stance: 'skeptical' } }) }) as never,
    ]);
  });

  it('requires at least one change', () => {
    spec.given([recorded]).when(correct({})).thenThrows(InvalidValueError, { field: 'correction', rule: 'atLeastOneChange' });
  });

  it('requires a reason', () => {
    spec.given([recorded]).when(correct({ stance: 'open' }, '  ')).thenThrows(InvalidValueError, { field: 'reason', rule: 'isNotEmpty' });
  });

  it.each([
    [{ stance: 'maybe' }, 'stance', 'isStance'],
    [{ effectiveOn: '2026-01-10' }, 'effectiveOn', 'notInFuture'],
    [{ headline: '' }, 'headline', 'isNotEmpty'],
    [{ source: { publisher: '' } }, 'source.publisher', 'isNotEmpty'],
  ] as [CorrectStance['data']['changes'], string, string][])('rejects the change %j', (changes, field, rule) => {
    spec.given([recorded]).when(correct(changes)).thenThrows(InvalidValueError, { field, rule });
  });

  it('refuses a record the country does not have', () => {
    spec.given([recorded]).when({ ...correct({ stance: 'open' }), data: { ...correct({ stance: 'open' }).data, recordId: 'nope' } }).thenThrows(StanceRecordNotFoundError);
  });

  it('is decided on the folded state, as retracting is', () => {
    expect(countryStancesDecider.readsState?.(correct({ stance: 'open' }))).toBe(true);
    expect(countryStancesDecider.readsState?.({ type: 'RetractStance', data: { country: 'ES', recordId: 'record-1', reason: 'r' } })).toBe(true);
  });

  it('refuses a retracted record', () => {
    const retracted = { type: 'StanceRetracted', data: { country: 'ES', recordId: 'record-1', topicId: 'ukraine-multinational-force', reason: 'r' } } as never;
    spec.given([recorded, retracted]).when(correct({ stance: 'open' })).thenThrows(StanceAlreadyRetractedError, { recordId: 'record-1' });
  });
});

describe('RetractStance', () => {
  const recorded = { ...doorOpened, eventId: 'record-1' };
  const retract = (recordId = 'record-1', reason = 'Misattributed: the speaker was not a member of the government'): RetractStance => ({
    type: 'RetractStance',
    data: { country: 'ES', recordId, reason },
  });

  it('retracts a record with a reason', () => {
    spec.given([recorded]).when(retract()).then([
      {
        type: 'StanceRetracted',
        data: { country: 'ES' as never, recordId: 'record-1', topicId: 'ukraine-multinational-force' as never, reason: 'Misattributed: the speaker was not a member of the government' },
      },
    ]);
  });

  it('refuses to retract twice', () => {
    spec.given([recorded, { type: 'StanceRetracted', data: { country: 'ES', recordId: 'record-1', topicId: 'ukraine-multinational-force', reason: 'r' } } as never])
      .when(retract())
      .thenThrows(StanceAlreadyRetractedError);
  });

  it('refuses an unknown record and requires a reason', () => {
    spec.given([recorded]).when(retract('other')).thenThrows(StanceRecordNotFoundError, { recordId: 'other' });
    spec.given([recorded]).when(retract('record-1', '')).thenThrows(InvalidValueError, { field: 'reason' });
  });
});
