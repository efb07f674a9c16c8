import { deciderSpecification } from '../../../../test/support/decider-specification';
import type { StanceRecorded } from '../events';
import type { CountryRegistry } from '../shared/country';
import { InvalidValueError, TopicNotDefinedError } from '../shared/errors';
import { type CountryStanceContext, countryStancesDecider, type RecordStance } from './country-stances.decider';

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
