import type { CountryCode } from './country';
import type { TopicId } from './topic-id';

export const COUNTRY_STREAM_PREFIX = 'country-';
export const TOPIC_STREAM_PREFIX = 'topic-';

export const countryStream = (country: CountryCode): string => `${COUNTRY_STREAM_PREFIX}${country}`;
export const topicStream = (topicId: TopicId): string => `${TOPIC_STREAM_PREFIX}${topicId}`;
