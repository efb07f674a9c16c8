import type {
  CountryStanceEvent,
  StanceChanges,
  StanceCorrected,
  StanceRecorded,
  StanceRetracted,
  StanceSource,
} from '../events';
import { calendarDateOf, parseCalendarDate } from '../shared/calendar-date';
import { type CountryRegistry, parseCountryCode } from '../shared/country';
import type { Decider } from '../shared/decider';
import {
  InvalidValueError,
  StanceAlreadyRetractedError,
  StanceRecordNotFoundError,
  TopicNotDefinedError,
} from '../shared/errors';
import { parseStance } from '../shared/stance';
import { optionalHttpUrl, optionalText, requiredText } from '../shared/text';
import { parseTopicId, type TopicId } from '../shared/topic-id';

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

export interface CorrectStance {
  type: 'CorrectStance';
  data: {
    country: string;
    recordId: string;
    changes: {
      stance?: string;
      effectiveOn?: string;
      headline?: string;
      summary?: string | null;
      conditions?: string | null;
      commitment?: string | null;
      source?: StanceSourceInput;
    };
    reason: string;
  };
}

export interface RetractStance {
  type: 'RetractStance';
  data: { country: string; recordId: string; reason: string };
}

export type CountryStanceCommand = RecordStance | CorrectStance | RetractStance;

/** Outside facts the decision needs, looked up by the caller before deciding. */
export interface CountryStanceContext {
  now: Date;
  topicIsDefined: boolean;
  countries: CountryRegistry;
}

export interface StanceRecordState {
  topicId: TopicId;
  retracted: boolean;
}

export interface CountryStanceState {
  /** Every stance record of the country, by the event id of its StanceRecorded. */
  records: Map<string, StanceRecordState>;
}

export const HEADLINE_MAX_LENGTH = 300;
export const SUMMARY_MAX_LENGTH = 5000;
export const QUALIFIER_MAX_LENGTH = 1000;
export const QUOTE_MAX_LENGTH = 5000;
export const REASON_MAX_LENGTH = 1000;
export const CORRECTABLE_FIELDS = ['stance', 'effectiveOn', 'headline', 'summary', 'conditions', 'commitment', 'source'] as const;

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

function parseEffectiveOn(value: unknown, now: Date) {
  const effectiveOn = parseCalendarDate(value, 'effectiveOn');
  const today = calendarDateOf(now);
  if (effectiveOn > today) {
    throw new InvalidValueError(
      'effectiveOn',
      'notInFuture',
      `effectiveOn must not be later than today (${today}): a stance is recorded once it has been expressed`,
    );
  }
  return effectiveOn;
}

function recordStance(command: RecordStance, context: CountryStanceContext): StanceRecorded[] {
  const input = command.data;
  const country = parseCountryCode(input.country, context.countries, 'country');
  const topicId = parseTopicId(input.topicId, 'topicId');
  const stance = parseStance(input.stance, 'stance');
  const effectiveOn = parseEffectiveOn(input.effectiveOn, context.now);
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

const has = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key) && (object as Record<string, unknown>)[key] !== undefined;

function parseChanges(input: CorrectStance['data']['changes'], now: Date): StanceChanges {
  const changes: StanceChanges = {};
  if (has(input, 'stance')) changes.stance = parseStance(input.stance, 'stance');
  if (has(input, 'effectiveOn')) changes.effectiveOn = parseEffectiveOn(input.effectiveOn, now);
  if (has(input, 'headline')) changes.headline = requiredText(input.headline, 'headline', HEADLINE_MAX_LENGTH);
  if (has(input, 'summary')) changes.summary = optionalText(input.summary, 'summary', SUMMARY_MAX_LENGTH);
  if (has(input, 'conditions')) changes.conditions = optionalText(input.conditions, 'conditions', QUALIFIER_MAX_LENGTH);
  if (has(input, 'commitment')) changes.commitment = optionalText(input.commitment, 'commitment', QUALIFIER_MAX_LENGTH);
  if (has(input, 'source')) changes.source = parseSource(input.source, now);
  if (Object.keys(changes).length === 0) {
    throw new InvalidValueError(
      'correction',
      'atLeastOneChange',
      `a correction must change at least one of ${CORRECTABLE_FIELDS.join(', ')}`,
    );
  }
  return changes;
}

/** The record a correction or retraction refers to, provided it is one of this country's and still stands. */
function standingRecord(state: CountryStanceState, country: string, recordId: string): StanceRecordState {
  const record = state.records.get(recordId);
  if (!record) throw new StanceRecordNotFoundError(country, recordId);
  if (record.retracted) throw new StanceAlreadyRetractedError(recordId);
  return record;
}

function correctStance(command: CorrectStance, state: CountryStanceState, context: CountryStanceContext): StanceCorrected[] {
  const country = parseCountryCode(command.data.country, context.countries, 'country');
  const changes = parseChanges(command.data.changes ?? {}, context.now);
  const reason = requiredText(command.data.reason, 'reason', REASON_MAX_LENGTH);
  const record = standingRecord(state, country, command.data.recordId);
  return [{ type: 'StanceCorrected', data: { country, recordId: command.data.recordId, topicId: record.topicId, changes, reason } }];
}

function retractStance(command: RetractStance, state: CountryStanceState, context: CountryStanceContext): StanceRetracted[] {
  const country = parseCountryCode(command.data.country, context.countries, 'country');
  const reason = requiredText(command.data.reason, 'reason', REASON_MAX_LENGTH);
  const record = standingRecord(state, country, command.data.recordId);
  return [{ type: 'StanceRetracted', data: { country, recordId: command.data.recordId, topicId: record.topicId, reason } }];
}

export const countryStancesDecider: Decider<
  CountryStanceCommand,
  CountryStanceEvent,
  CountryStanceState,
  CountryStanceContext
> = {
  initialState: () => ({ records: new Map() }),
  // Recording needs no earlier record; correcting and retracting look theirs up.
  readsState: (command) => command.type !== 'RecordStance',
  // A country's state grows with its history: copying it for every event would make a fold
  // quadratic. A fold owns the state it builds, so evolve updates it in place.
  evolve(state, event) {
    switch (event.type) {
      case 'StanceRecorded':
        state.records.set(event.eventId, { topicId: event.data.topicId, retracted: false });
        return state;
      case 'StanceCorrected':
        return state;
      case 'StanceRetracted': {
        const record = state.records.get(event.data.recordId);
        if (record) state.records.set(event.data.recordId, { ...record, retracted: true });
        return state;
      }
      default: {
        const _exhaustive: never = event;
        return state;
      }
    }
  },
  decide(command, state, context) {
    switch (command.type) {
      case 'RecordStance':
        return recordStance(command, context);
      case 'CorrectStance':
        return correctStance(command, state, context);
      case 'RetractStance':
        return retractStance(command, state, context);
      default: {
        const _exhaustive: never = command;
        throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
      }
    }
  },
};
