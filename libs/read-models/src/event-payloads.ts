import {
  isCalendarDate,
  isStance,
  isTopicId,
  isUuid,
  type EventMetadata,
  type StanceLedgerEvent,
  UnknownEventTypeError,
  UnsupportedSchemaVersionError,
} from '@stance-ledger/domain';

/** An event the read models cannot take: its payload breaks the shape its type promises. */
export class PoisonEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonEventError';
  }
}

/**
 * Whether an error is the event's fault (it will fail the same way for ever) rather than the
 * infrastructure's (worth retrying): unknown or unreadable events, and PostgreSQL's data
 * exceptions (class 22) and integrity violations (class 23).
 */
export function isPoisonError(error: unknown): boolean {
  if (error instanceof PoisonEventError || error instanceof UnknownEventTypeError || error instanceof UnsupportedSchemaVersionError) {
    return true;
  }
  const code = (error as { code?: unknown; driverError?: { code?: unknown } })?.driverError?.code ?? (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|23)/.test(code);
}

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;
const isOptionalText = (value: unknown) => value === null || value === undefined || typeof value === 'string';

function check(condition: boolean, what: string): void {
  if (!condition) throw new PoisonEventError(what);
}

/**
 * The log is written by commands that validate, but it can also be imported, or written by an
 * older or newer version of the service: the projector checks before it writes.
 */
export function assertProjectable(event: StanceLedgerEvent, metadata: EventMetadata): void {
  check(typeof metadata?.recordedAt === 'string' && !Number.isNaN(Date.parse(metadata.recordedAt)), 'metadata.recordedAt is not an instant');
  const data = event.data as Record<string, unknown>;
  check(typeof data === 'object' && data !== null, `${event.type} has no data object`);
  switch (event.type) {
    case 'TopicDefined':
      check(isTopicId(data.topicId), 'TopicDefined.topicId is not a slug');
      check(isText(data.title), 'TopicDefined.title is missing');
      check(typeof data.description === 'string', 'TopicDefined.description is missing');
      return;
    case 'StanceRecorded': {
      check(typeof data.country === 'string' && /^[A-Z]{2}$/.test(data.country), 'StanceRecorded.country is not an alpha-2 code');
      check(isTopicId(data.topicId), 'StanceRecorded.topicId is not a slug');
      check(isStance(data.stance), 'StanceRecorded.stance is not on the scale');
      check(isCalendarDate(data.effectiveOn), 'StanceRecorded.effectiveOn is not a calendar date');
      check(isText(data.headline), 'StanceRecorded.headline is missing');
      for (const field of ['summary', 'conditions', 'commitment'] as const) {
        check(isOptionalText(data[field]), `StanceRecorded.${field} is not text`);
      }
      const source = data.source as Record<string, unknown> | null;
      check(typeof source === 'object' && source !== null && isText(source.publisher), 'StanceRecorded.source.publisher is missing');
      return;
    }
    case 'StanceCorrected':
    case 'StanceRetracted': {
      check(typeof data.country === 'string' && /^[A-Z]{2}$/.test(data.country), `${event.type}.country is not an alpha-2 code`);
      check(isTopicId(data.topicId), `${event.type}.topicId is not a slug`);
      check(isUuid(data.recordId), `${event.type}.recordId is not an event id`);
      check(isText(data.reason), `${event.type}.reason is missing`);
      if (event.type === 'StanceCorrected') {
        const changes = data.changes as Record<string, unknown> | null;
        check(typeof changes === 'object' && changes !== null && Object.keys(changes).length > 0, 'StanceCorrected.changes is empty');
        check(changes!.stance === undefined || isStance(changes!.stance), 'StanceCorrected.changes.stance is not on the scale');
        check(changes!.effectiveOn === undefined || isCalendarDate(changes!.effectiveOn), 'StanceCorrected.changes.effectiveOn is not a calendar date');
        check(changes!.headline === undefined || isText(changes!.headline), 'StanceCorrected.changes.headline is empty');
      }
      return;
    }
    case 'AccessKeyIssued':
    case 'AccessKeyRevoked':
      // Grants of access are on the record, but no read model here reads them.
      return;
    default: {
      const _exhaustive: never = event;
      throw new PoisonEventError(`unexpected event ${JSON.stringify(_exhaustive)}`);
    }
  }
}
