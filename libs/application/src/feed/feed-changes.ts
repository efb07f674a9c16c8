import { Inject, Injectable } from '@nestjs/common';
import {
  countryStream,
  type CountryCode,
  type CountryStanceEvent,
  type Stance,
  type StanceCorrected,
  type StanceRecorded,
  type StanceRetracted,
  upcast,
} from '@stance-ledger/domain';
import type { EventStore, LogPosition, RecordedEvent } from '@stance-ledger/event-store';
import { EVENT_STORE } from '../shared/tokens';
import type { FeedChange } from './feed-change';

const STANCE_EVENTS = new Set(['StanceRecorded', 'StanceCorrected', 'StanceRetracted']);
/** Events read from the log per page when a range is scanned. */
export const FEED_PAGE_EVENTS = 1000;
/** Corrections and retractions already turned into changes: a correction costs a read of its stream once, not per follower. */
const REMEMBERED_CHANGES = 10_000;
const STREAM_PAGE = 200;

export interface ChangesPage {
  changes: FeedChange[];
  /** The position the scan reached: every stance event after the range's start and up to it is in `changes`. */
  through: LogPosition;
}

interface RecordFacts {
  stance: Stance;
  effectiveOn: string;
  headline: string;
}

/**
 * Reads the log as feed changes. The record a correction or retraction refers to is read from its
 * country's stream (the record, then its later corrections, newest first), so the change says what
 * the record said before: the log alone answers, whatever the read models' tables look like.
 */
@Injectable()
export class FeedChanges {
  private readonly remembered = new Map<string, FeedChange>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The stance changes after `after` and up to `through`, at most a page of the log's events. */
  async read(after: LogPosition, through: LogPosition, maxEvents = FEED_PAGE_EVENTS): Promise<ChangesPage> {
    if (through <= after) return { changes: [], through: after };
    const events = await this.store.readAll({ afterPosition: after, maxCount: maxEvents });
    const changes: FeedChange[] = [];
    let reached = through;
    for (const event of events) {
      if (event.position > through) break;
      if (STANCE_EVENTS.has(event.type)) changes.push(await this.changeOf(event));
    }
    // A full page that ended before `through`: the scan reached its last event only.
    const last = events[events.length - 1];
    if (events.length === maxEvents && last.position < through) reached = last.position;
    return { changes, through: reached };
  }

  private async changeOf(recorded: RecordedEvent): Promise<FeedChange> {
    const event = upcast({ type: recorded.type, schemaVersion: Number(recorded.metadata.schemaVersion), data: recorded.data }) as CountryStanceEvent;
    const base = {
      position: recorded.position.toString(),
      eventId: recorded.eventId,
      recordedAt: String(recorded.metadata.recordedAt),
      recordedBy: String(recorded.metadata.recordedBy),
    };
    if (event.type === 'StanceRecorded') return recordedChange(base, event);
    const known = this.remembered.get(recorded.eventId);
    if (known) return known;
    const before = await this.recordBefore(event.data.country, event.data.recordId, recorded.revision);
    const change = event.type === 'StanceCorrected' ? correctedChange(base, event, before) : retractedChange(base, event, before);
    this.remembered.set(recorded.eventId, change);
    if (this.remembered.size > REMEMBERED_CHANGES) this.remembered.delete(this.remembered.keys().next().value as string);
    return change;
  }

  /** What the record said just before the stream's event at `revision`. */
  private async recordBefore(country: CountryCode, recordId: string, revision: bigint): Promise<RecordFacts> {
    const stream = countryStream(country);
    const original = await this.store.findEvent(stream, recordId);
    if (!original || original.type !== 'StanceRecorded') throw new Error(`the log holds no StanceRecorded ${recordId} in ${stream}`);
    const recordedData = (upcast({ type: original.type, schemaVersion: Number(original.metadata.schemaVersion), data: original.data }) as StanceRecorded).data;
    const facts: Partial<RecordFacts> = {};
    // Newest correction first: the latest value of each field wins.
    let from = revision - 1n;
    while (from > original.revision && (facts.stance === undefined || facts.effectiveOn === undefined || facts.headline === undefined)) {
      const page = await this.store.readStream(stream, { direction: 'backwards', fromRevision: from, maxCount: STREAM_PAGE });
      if (page.length === 0) break;
      for (const event of page) {
        if (event.revision <= original.revision) break;
        if (event.type !== 'StanceCorrected') continue;
        const correction = upcast({ type: event.type, schemaVersion: Number(event.metadata.schemaVersion), data: event.data }) as StanceCorrected;
        if (correction.data.recordId !== recordId) continue;
        facts.stance ??= correction.data.changes.stance;
        facts.effectiveOn ??= correction.data.changes.effectiveOn;
        facts.headline ??= correction.data.changes.headline;
      }
      from = page[page.length - 1].revision - 1n;
    }
    return {
      stance: facts.stance ?? recordedData.stance,
      effectiveOn: facts.effectiveOn ?? recordedData.effectiveOn,
      headline: facts.headline ?? recordedData.headline,
    };
  }
}

type ChangeBase = Pick<FeedChange, 'position' | 'eventId' | 'recordedAt' | 'recordedBy'>;

function recordedChange(base: ChangeBase, { data }: StanceRecorded): FeedChange {
  return {
    ...base,
    kind: 'recorded',
    recordId: base.eventId,
    country: data.country,
    topicId: data.topicId,
    effectiveOn: data.effectiveOn,
    stance: data.stance,
    previousStance: null,
    headline: data.headline,
    reason: null,
  };
}

function correctedChange(base: ChangeBase, { data }: StanceCorrected, before: RecordFacts): FeedChange {
  return {
    ...base,
    kind: 'corrected',
    recordId: data.recordId,
    country: data.country,
    topicId: data.topicId,
    effectiveOn: data.changes.effectiveOn ?? before.effectiveOn,
    stance: data.changes.stance ?? before.stance,
    previousStance: before.stance,
    headline: data.changes.headline ?? before.headline,
    reason: data.reason,
  };
}

function retractedChange(base: ChangeBase, { data }: StanceRetracted, before: RecordFacts): FeedChange {
  return {
    ...base,
    kind: 'retracted',
    recordId: data.recordId,
    country: data.country,
    topicId: data.topicId,
    effectiveOn: before.effectiveOn,
    stance: null,
    previousStance: before.stance,
    headline: before.headline,
    reason: data.reason,
  };
}
