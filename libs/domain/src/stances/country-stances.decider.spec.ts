import { deciderSpecification } from '../../../../test/support/decider-specification';
import type { StanceRecorded } from '../events';
import { type CountryRegistry, parseCountryCode } from '../shared/country';
import { InvalidValueError, StanceAlreadyRetractedError, StanceRecordNotFoundError, TopicNotDefinedError } from '../shared/errors';
import { type CountryStanceContext, countryStancesDecider } from './country-stances.decider';
import {
  type CorrectStance,
  parseCorrectStance,
  parseRecordStance,
  parseRetractStance,
  type RecordStance,
  type RecordStanceInput,
  type RetractStance,
  type StanceChangesInput,
} from './stance-commands';

const registry: CountryRegistry = {
  isAssigned: (code) => ['ES', 'FR', 'IT'].includes(code),
  nameOf: () => undefined,
};
const spain = parseCountryCode('ES', registry);

let context: CountryStanceContext;
beforeEach(() => {
  context = { now: new Date('2026-01-09T10:00:00Z'), topicIsDefined: true };
});
const spec = deciderSpecification(countryStancesDecider, () => context);

/** A request as a client sends it; the commands are parsed from it where it enters, as the API does. */
type RecordRequest = RecordStanceInput & { country: string };
const recordOf = ({ country, ...input }: RecordRequest): RecordStance => ({
  type: 'RecordStance',
  data: parseRecordStance(parseCountryCode(country, registry), input),
});

const spainOpensDoor: RecordRequest = {
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

const withData = (data: Partial<RecordRequest>): RecordStance => recordOf({ ...spainOpensDoor, ...data });

describe('RecordStance', () => {
  it('records a stance on a defined topic, normalising the country code and absent fields', () => {
    spec.given([]).when(recordOf(spainOpensDoor)).then([doorOpened]);
  });

  it('records further stances of the same country', () => {
    spec.given([doorOpened]).when(withData({ effectiveOn: '2026-01-07', stance: 'supports' })).then([
      { ...doorOpened, data: { ...doorOpened.data, effectiveOn: '2026-01-07' as never, stance: 'supports' } },
    ]);
  });

  it('decides without the state: the same events after any history, so a stream need not be folded to record on it', () => {
    const retracted = { type: 'StanceRetracted', data: { country: 'ES', recordId: 'event-0', topicId: 'ukraine-multinational-force', reason: 'r' } } as never;
    spec.given([doorOpened, retracted, doorOpened]).when(recordOf(spainOpensDoor)).then([doorOpened]);
    expect(countryStancesDecider.readsState?.(recordOf(spainOpensDoor))).toBe(false);
  });

  it('accepts a stance effective today', () => {
    spec.given([]).when(withData({ effectiveOn: '2026-01-09' })).then([
      { ...doorOpened, data: { ...doorOpened.data, effectiveOn: '2026-01-09' as never } },
    ]);
  });

  it('refuses a topic that is not defined', () => {
    context.topicIsDefined = false;
    spec.given([]).when(recordOf(spainOpensDoor)).thenThrows(TopicNotDefinedError, { topicId: 'ukraine-multinational-force' });
  });

  it.each([
    [{ effectiveOn: '2026-01-10' }, 'effectiveOn', 'notInFuture'],
    [{ source: { publisher: 'AFP', publishedOn: '2026-02-01' } }, 'source.publishedOn', 'notInFuture'],
  ] as [Partial<RecordRequest>, string, string][])('rejects %j: %s breaks %s', (data, field, rule) => {
    spec.given([]).when(withData(data)).thenThrows(InvalidValueError, { field, rule });
  });
});

describe('CorrectStance', () => {
  const recorded = { ...doorOpened, eventId: 'record-1' };
  const correct = (changes: StanceChangesInput, reason = 'The quote was from the 7 January interview'): CorrectStance => ({
    type: 'CorrectStance',
    data: parseCorrectStance(spain, { recordId: 'record-1', changes, reason }),
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

  it.each([
    [{ effectiveOn: '2026-01-10' }, 'effectiveOn', 'notInFuture'],
    [{ source: { publisher: 'AFP', publishedOn: '2026-01-10' } }, 'source.publishedOn', 'notInFuture'],
  ] as [StanceChangesInput, string, string][])('rejects the change %j', (changes, field, rule) => {
    spec.given([recorded]).when(correct(changes)).thenThrows(InvalidValueError, { field, rule });
  });

  it('refuses a record the country does not have', () => {
    spec.given([recorded]).when({ ...correct({ stance: 'open' }), data: { ...correct({ stance: 'open' }).data, recordId: 'nope' } }).thenThrows(StanceRecordNotFoundError);
  });

  it('is decided on the folded state, as retracting is', () => {
    expect(countryStancesDecider.readsState?.(correct({ stance: 'open' }))).toBe(true);
    expect(countryStancesDecider.readsState?.({ type: 'RetractStance', data: parseRetractStance(spain, { recordId: 'record-1', reason: 'r' }) })).toBe(true);
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
    data: parseRetractStance(spain, { recordId, reason }),
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

  it('refuses an unknown record', () => {
    spec.given([recorded]).when(retract('other')).thenThrows(StanceRecordNotFoundError, { recordId: 'other' });
  });
});
