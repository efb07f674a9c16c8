import {
  type CountryCode,
  type CountryRegistry,
  InvalidValueError,
  parseCountryCode,
  parseTopicId,
  type Stance,
  type TopicId,
} from '@stance-ledger/domain';
import { isLogPositionText } from '../http/request-validation';

export type FeedChangeKind = 'recorded' | 'corrected' | 'retracted';

/**
 * One stance event as the feed and the webhooks send it. `stance` is what the record says after
 * the event (null once retracted); `previousStance` what it said before (null for a new record).
 */
export interface FeedChange {
  position: string;
  eventId: string;
  kind: FeedChangeKind;
  recordId: string;
  country: string;
  topicId: string;
  effectiveOn: string;
  stance: Stance | null;
  previousStance: Stance | null;
  headline: string;
  reason: string | null;
  recordedAt: string;
  recordedBy: string;
}

/** Which changes a follower wants: absent means every value. */
export interface FeedFilter {
  topicIds?: ReadonlySet<string>;
  countries?: ReadonlySet<string>;
}

export function matchesFilter(change: FeedChange, filter: FeedFilter): boolean {
  return (filter.topicIds === undefined || filter.topicIds.has(change.topicId)) && (filter.countries === undefined || filter.countries.has(change.country));
}

/** At most this many values in one filter: a watchlist, not a dump of the registry. */
export const MAX_FILTER_VALUES = 100;

function listOf(value: string | undefined, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((item) => item.trim());
  if (items.length > MAX_FILTER_VALUES) {
    throw new InvalidValueError(field, 'maxValues', `${field} lists at most ${MAX_FILTER_VALUES} comma-separated values, got ${items.length}`);
  }
  return items;
}

/** `topicId` and `country` as comma-separated lists, each value checked as the rest of the API checks it. */
export function parseFeedFilter(input: { topicId?: string; country?: string }, countries: CountryRegistry): FeedFilter {
  const topicIds = listOf(input.topicId, 'topicId')?.map((item): TopicId => parseTopicId(item, 'topicId'));
  const codes = listOf(input.country, 'country')?.map((item): CountryCode => parseCountryCode(item, countries, 'country'));
  return {
    ...(topicIds ? { topicIds: new Set(topicIds) } : {}),
    ...(codes ? { countries: new Set(codes) } : {}),
  };
}

/** A log position as a client sends it back (Last-Event-ID, ?after=): a non-negative integer. */
export function parseLogPosition(value: string, field: string): bigint {
  const text = value.trim();
  if (!isLogPositionText(text)) {
    throw new InvalidValueError(field, 'isLogPosition', `${field} must be a log position (a non-negative integer, the id of an event the feed sent), got ${JSON.stringify(value)}`);
  }
  return BigInt(text);
}
