import type { CountryStanceEvent, StanceRecorded, StanceSource } from '../events';
import { calendarDateOf, parseCalendarDate } from '../shared/calendar-date';
import { type CountryRegistry, parseCountryCode } from '../shared/country';
import type { Decider } from '../shared/decider';
import { InvalidValueError, TopicNotDefinedError } from '../shared/errors';
import { parseStance } from '../shared/stance';
import { optionalHttpUrl, optionalText, requiredText } from '../shared/text';
import { parseTopicId } from '../shared/topic-id';

export interface StanceSourceInput {
  publisher: string;
  title?: string | null;
  url?: string | null;
  publishedOn?: string | null;
  quote?: string | null;
  speaker?: string | null;
}

export interface RecordStance {
  type: 'RecordStance';
  data: {
    country: string;
    topicId: string;
    stance: string;
    effectiveOn: string;
    headline: string;
    summary?: string | null;
    conditions?: string | null;
    commitment?: string | null;
    source: StanceSourceInput;
  };
}

export type CountryStanceCommand = RecordStance;

/** Outside facts the decision needs, looked up by the caller before deciding. */
export interface CountryStanceContext {
  now: Date;
  topicIsDefined: boolean;
  countries: CountryRegistry;
}

export interface CountryStanceState {
  recordedStances: number;
}

export const HEADLINE_MAX_LENGTH = 300;
export const SUMMARY_MAX_LENGTH = 5000;
export const QUALIFIER_MAX_LENGTH = 1000;
export const QUOTE_MAX_LENGTH = 5000;

function parseSource(input: StanceSourceInput | undefined, now: Date): StanceSource {
  if (input === null || typeof input !== 'object') {
    throw new InvalidValueError('source', 'isObject', 'source is required: at least its publisher');
  }
  const publishedOn =
    input.publishedOn === undefined || input.publishedOn === null
      ? null
      : parseCalendarDate(input.publishedOn, 'source.publishedOn');
  if (publishedOn !== null && publishedOn > calendarDateOf(now)) {
    throw new InvalidValueError(
      'source.publishedOn',
      'notInFuture',
      `source.publishedOn must not be later than today (${calendarDateOf(now)})`,
    );
  }
  return {
    publisher: requiredText(input.publisher, 'source.publisher', 200),
    title: optionalText(input.title, 'source.title', 500),
    url: optionalHttpUrl(input.url, 'source.url'),
    publishedOn,
    quote: optionalText(input.quote, 'source.quote', QUOTE_MAX_LENGTH),
    speaker: optionalText(input.speaker, 'source.speaker', 200),
  };
}

function recordStance(command: RecordStance, context: CountryStanceContext): StanceRecorded[] {
  const input = command.data;
  const country = parseCountryCode(input.country, context.countries, 'country');
  const topicId = parseTopicId(input.topicId, 'topicId');
  const stance = parseStance(input.stance, 'stance');
  const effectiveOn = parseCalendarDate(input.effectiveOn, 'effectiveOn');
  const today = calendarDateOf(context.now);
  if (effectiveOn > today) {
    throw new InvalidValueError(
      'effectiveOn',
      'notInFuture',
      `effectiveOn must not be later than today (${today}): a stance is recorded once it has been expressed`,
    );
  }
  const event: StanceRecorded = {
    type: 'StanceRecorded',
    data: {
      country,
      topicId,
      stance,
      effectiveOn,
      headline: requiredText(input.headline, 'headline', HEADLINE_MAX_LENGTH),
      summary: optionalText(input.summary, 'summary', SUMMARY_MAX_LENGTH),
      conditions: optionalText(input.conditions, 'conditions', QUALIFIER_MAX_LENGTH),
      commitment: optionalText(input.commitment, 'commitment', QUALIFIER_MAX_LENGTH),
      source: parseSource(input.source, context.now),
    },
  };
  // Checked after the values so that a malformed request is reported as such first.
  if (!context.topicIsDefined) throw new TopicNotDefinedError(topicId);
  return [event];
}

export const countryStancesDecider: Decider<
  CountryStanceCommand,
  CountryStanceEvent,
  CountryStanceState,
  CountryStanceContext
> = {
  initialState: () => ({ recordedStances: 0 }),
  evolve(state, event) {
    switch (event.type) {
      case 'StanceRecorded':
        return { ...state, recordedStances: state.recordedStances + 1 };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
  decide(command, _state, context) {
    switch (command.type) {
      case 'RecordStance':
        return recordStance(command, context);
      default: {
        const _exhaustive: never = command.type;
        throw new Error(`unknown command ${String(_exhaustive)}`);
      }
    }
  },
};
