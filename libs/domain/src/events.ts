import type { CalendarDate } from './shared/calendar-date';
import type { CountryCode } from './shared/country';
import type { Role } from './shared/role';
import type { Stance } from './shared/stance';
import type { TopicId } from './shared/topic-id';

/** Where a stance comes from. Only the publisher is required: a quote without a source is hearsay. */
export interface StanceSource {
  publisher: string;
  title: string | null;
  url: string | null;
  publishedOn: CalendarDate | null;
  quote: string | null;
  speaker: string | null;
}

export interface TopicDefined {
  type: 'TopicDefined';
  data: { topicId: TopicId; title: string; description: string };
}

export interface StanceRecorded {
  type: 'StanceRecorded';
  data: {
    country: CountryCode;
    topicId: TopicId;
    stance: Stance;
    effectiveOn: CalendarDate;
    headline: string;
    summary: string | null;
    conditions: string | null;
    commitment: string | null;
    source: StanceSource;
  };
}

/** The fields of a stance record a correction may change. */
export interface StanceChanges {
  stance?: Stance;
  effectiveOn?: CalendarDate;
  headline?: string;
  summary?: string | null;
  conditions?: string | null;
  commitment?: string | null;
  source?: StanceSource;
}

/** Fixes an earlier record (`recordId`, the event id of its StanceRecorded); the log keeps both. */
export interface StanceCorrected {
  type: 'StanceCorrected';
  data: { country: CountryCode; recordId: string; topicId: TopicId; changes: StanceChanges; reason: string };
}

/** Withdraws an earlier record: from its recording on, it is no longer in force. */
export interface StanceRetracted {
  type: 'StanceRetracted';
  data: { country: CountryCode; recordId: string; topicId: TopicId; reason: string };
}

/** An access key was given to someone, with roles: who issued it is the event's `recordedBy`. No secret is in it. */
export interface AccessKeyIssued {
  type: 'AccessKeyIssued';
  data: { keyId: string; name: string; roles: Role[] };
}

/** An access key stops working for every request from then on. */
export interface AccessKeyRevoked {
  type: 'AccessKeyRevoked';
  data: { keyId: string; name: string };
}

export type TopicEvent = TopicDefined;
export type CountryStanceEvent = StanceRecorded | StanceCorrected | StanceRetracted;
export type AccessEvent = AccessKeyIssued | AccessKeyRevoked;
export type StanceLedgerEvent = TopicEvent | CountryStanceEvent | AccessEvent;
export type StanceLedgerEventType = StanceLedgerEvent['type'];

/** The schema version written today for each event type; upcasters lift older ones to it. */
export const CURRENT_SCHEMA_VERSIONS: Record<StanceLedgerEventType, number> = {
  TopicDefined: 1,
  StanceRecorded: 1,
  StanceCorrected: 1,
  StanceRetracted: 1,
  AccessKeyIssued: 1,
  AccessKeyRevoked: 1,
};

/** Who recorded an event, when, and as part of which conversation. */
export interface EventMetadata {
  schemaVersion: number;
  recordedAt: string;
  recordedBy: string;
  commandId: string;
  correlationId: string;
  causationId: string;
  /** Fingerprint of the command that produced the event: a retried command must match it. */
  commandHash: string;
  /** The hash chain of the stream: this event's hash and the one of the event before it. */
  previousHash?: string;
  hash?: string;
}
