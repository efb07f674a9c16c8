import type { CountryCode } from './country';
import type { TopicId } from './topic-id';

export const COUNTRY_STREAM_PREFIX = 'country-';
export const TOPIC_STREAM_PREFIX = 'topic-';
/** Every grant and revocation of access lives in one stream, so the history says who could write when. */
export const ACCESS_KEYS_STREAM = 'access-keys';

/** The streams the projector follows (a subscription to the whole log filtered on these), the access grants among them so that its checkpoint reaches the log's head. */
export const LEDGER_STREAM_PREFIXES: readonly string[] = [COUNTRY_STREAM_PREFIX, TOPIC_STREAM_PREFIX, ACCESS_KEYS_STREAM];

export const countryStream = (country: CountryCode): string => `${COUNTRY_STREAM_PREFIX}${country}`;
export const topicStream = (topicId: TopicId): string => `${TOPIC_STREAM_PREFIX}${topicId}`;
