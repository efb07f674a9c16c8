import type { StanceChanges, StanceRecorded, StanceSource } from '../events';
import { parseCalendarDate } from '../shared/calendar-date';
import type { CountryCode } from '../shared/country';
import { InvalidValueError } from '../shared/errors';
import { parseStance } from '../shared/stance';
import { optionalHttpUrl, optionalText, requiredText } from '../shared/text';
import { parseTopicId } from '../shared/topic-id';
import {
  HEADLINE_MAX_LENGTH,
  QUALIFIER_MAX_LENGTH,
  QUOTE_MAX_LENGTH,
  REASON_MAX_LENGTH,
  SOURCE_PUBLISHER_MAX_LENGTH,
  SOURCE_SPEAKER_MAX_LENGTH,
  SOURCE_TITLE_MAX_LENGTH,
  SOURCE_URL_MAX_LENGTH,
  SUMMARY_MAX_LENGTH,
} from './stance-limits';

/** A source as a client sends it: only the publisher is required. */
export interface StanceSourceInput {
  publisher: string;
  title?: string | null;
  url?: string | null;
  publishedOn?: string | null;
  quote?: string | null;
  speaker?: string | null;
}

/** A stance record as a client sends it, for the country it is recorded for. */
export interface RecordStanceInput {
  topicId: string;
  stance: string;
  effectiveOn: string;
  headline: string;
  summary?: string | null;
  conditions?: string | null;
  commitment?: string | null;
  source: StanceSourceInput;
}

export interface StanceChangesInput {
  stance?: string;
  effectiveOn?: string;
  headline?: string;
  summary?: string | null;
  conditions?: string | null;
  commitment?: string | null;
  source?: StanceSourceInput;
}

export interface CorrectStanceInput {
  recordId: string;
  changes: StanceChangesInput;
  reason: string;
}

export interface RetractStanceInput {
  recordId: string;
  reason: string;
}

/**
 * The commands carry parsed values, parsed once where they enter (an HTTP request, a dataset):
 * the decider checks only what needs the stream's state or the clock.
 */
export interface RecordStance {
  type: 'RecordStance';
  data: StanceRecorded['data'];
}

export interface CorrectStance {
  type: 'CorrectStance';
  data: { country: CountryCode; recordId: string; changes: StanceChanges; reason: string };
}

export interface RetractStance {
  type: 'RetractStance';
  data: { country: CountryCode; recordId: string; reason: string };
}

export type CountryStanceCommand = RecordStance | CorrectStance | RetractStance;

export const CORRECTABLE_FIELDS = ['stance', 'effectiveOn', 'headline', 'summary', 'conditions', 'commitment', 'source'] as const;

function parseSource(input: StanceSourceInput | undefined): StanceSource {
  if (input === null || typeof input !== 'object') {
    throw new InvalidValueError('source', 'isObject', 'source is required: at least its publisher');
  }
  const publishedOn = input.publishedOn === undefined || input.publishedOn === null ? null : parseCalendarDate(input.publishedOn, 'source.publishedOn');
  return {
    publisher: requiredText(input.publisher, 'source.publisher', SOURCE_PUBLISHER_MAX_LENGTH),
    title: optionalText(input.title, 'source.title', SOURCE_TITLE_MAX_LENGTH),
    url: optionalHttpUrl(input.url, 'source.url', SOURCE_URL_MAX_LENGTH),
    publishedOn,
    quote: optionalText(input.quote, 'source.quote', QUOTE_MAX_LENGTH),
    speaker: optionalText(input.speaker, 'source.speaker', SOURCE_SPEAKER_MAX_LENGTH),
  };
}

export function parseRecordStance(country: CountryCode, input: RecordStanceInput): RecordStance['data'] {
  return {
    country,
    topicId: parseTopicId(input.topicId, 'topicId'),
    stance: parseStance(input.stance, 'stance'),
    effectiveOn: parseCalendarDate(input.effectiveOn, 'effectiveOn'),
    headline: requiredText(input.headline, 'headline', HEADLINE_MAX_LENGTH),
    summary: optionalText(input.summary, 'summary', SUMMARY_MAX_LENGTH),
    conditions: optionalText(input.conditions, 'conditions', QUALIFIER_MAX_LENGTH),
    commitment: optionalText(input.commitment, 'commitment', QUALIFIER_MAX_LENGTH),
    source: parseSource(input.source),
  };
}

const has = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key) && (object as Record<string, unknown>)[key] !== undefined;

function parseChanges(input: StanceChangesInput): StanceChanges {
  const changes: StanceChanges = {};
  if (has(input, 'stance')) changes.stance = parseStance(input.stance, 'stance');
  if (has(input, 'effectiveOn')) changes.effectiveOn = parseCalendarDate(input.effectiveOn, 'effectiveOn');
  if (has(input, 'headline')) changes.headline = requiredText(input.headline, 'headline', HEADLINE_MAX_LENGTH);
  if (has(input, 'summary')) changes.summary = optionalText(input.summary, 'summary', SUMMARY_MAX_LENGTH);
  if (has(input, 'conditions')) changes.conditions = optionalText(input.conditions, 'conditions', QUALIFIER_MAX_LENGTH);
  if (has(input, 'commitment')) changes.commitment = optionalText(input.commitment, 'commitment', QUALIFIER_MAX_LENGTH);
  if (has(input, 'source')) changes.source = parseSource(input.source);
  if (Object.keys(changes).length === 0) {
    throw new InvalidValueError('correction', 'atLeastOneChange', `a correction must change at least one of ${CORRECTABLE_FIELDS.join(', ')}`);
  }
  return changes;
}

export function parseCorrectStance(country: CountryCode, input: CorrectStanceInput): CorrectStance['data'] {
  const changes = parseChanges(input.changes ?? {});
  return { country, recordId: input.recordId, changes, reason: requiredText(input.reason, 'reason', REASON_MAX_LENGTH) };
}

export function parseRetractStance(country: CountryCode, input: RetractStanceInput): RetractStance['data'] {
  return { country, recordId: input.recordId, reason: requiredText(input.reason, 'reason', REASON_MAX_LENGTH) };
}
