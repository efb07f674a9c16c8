import type { CountryStanceEvent, StanceCorrected, StanceRecorded, StanceRetracted, StanceSource } from '../events';
import { type CalendarDate, calendarDateOf } from '../shared/calendar-date';
import type { CountryCode } from '../shared/country';
import type { Decider } from '../shared/decider';
import { InvalidValueError, StanceAlreadyRetractedError, StanceRecordNotFoundError, TopicNotDefinedError } from '../shared/errors';
import type { TopicId } from '../shared/topic-id';
import type { CorrectStance, CountryStanceCommand, RecordStance, RetractStance } from './stance-commands';

/** Outside facts the decision needs, looked up by the caller before deciding. */
export interface CountryStanceContext {
  now: Date;
  topicIsDefined: boolean;
}

export interface StanceRecordState {
  topicId: TopicId;
  retracted: boolean;
}

export interface CountryStanceState {
  /** Every stance record of the country, by the event id of its StanceRecorded. */
  records: Map<string, StanceRecordState>;
}

function notAfterToday(day: CalendarDate, field: string, now: Date, why = ''): void {
  const today = calendarDateOf(now);
  if (day > today) throw new InvalidValueError(field, 'notInFuture', `${field} must not be later than today (${today})${why}`);
}

function effectiveNotAfterToday(effectiveOn: CalendarDate, now: Date): void {
  notAfterToday(effectiveOn, 'effectiveOn', now, ': a stance is recorded once it has been expressed');
}

function publishedNotAfterToday(source: StanceSource, now: Date): void {
  if (source.publishedOn !== null) notAfterToday(source.publishedOn, 'source.publishedOn', now);
}

function recordStance(command: RecordStance, context: CountryStanceContext): StanceRecorded[] {
  const { data } = command;
  effectiveNotAfterToday(data.effectiveOn, context.now);
  publishedNotAfterToday(data.source, context.now);
  if (!context.topicIsDefined) throw new TopicNotDefinedError(data.topicId);
  return [{ type: 'StanceRecorded', data }];
}

/** The record a correction or retraction refers to, provided it is one of this country's and still stands. */
function standingRecord(state: CountryStanceState, country: CountryCode, recordId: string): StanceRecordState {
  const record = state.records.get(recordId);
  if (!record) throw new StanceRecordNotFoundError(country, recordId);
  if (record.retracted) throw new StanceAlreadyRetractedError(recordId);
  return record;
}

function correctStance(command: CorrectStance, state: CountryStanceState, context: CountryStanceContext): StanceCorrected[] {
  const { country, recordId, changes, reason } = command.data;
  if (changes.effectiveOn !== undefined) effectiveNotAfterToday(changes.effectiveOn, context.now);
  if (changes.source !== undefined) publishedNotAfterToday(changes.source, context.now);
  const record = standingRecord(state, country, recordId);
  return [{ type: 'StanceCorrected', data: { country, recordId, topicId: record.topicId, changes, reason } }];
}

function retractStance(command: RetractStance, state: CountryStanceState): StanceRetracted[] {
  const { country, recordId, reason } = command.data;
  const record = standingRecord(state, country, recordId);
  return [{ type: 'StanceRetracted', data: { country, recordId, topicId: record.topicId, reason } }];
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
        return retractStance(command, state);
      default: {
        const _exhaustive: never = command;
        throw new Error(`unknown command ${JSON.stringify(_exhaustive)}`);
      }
    }
  },
};
