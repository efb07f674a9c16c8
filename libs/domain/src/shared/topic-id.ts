import { InvalidValueError } from './errors';

export type TopicId = string & { readonly __brand: 'TopicId' };

export const TOPIC_ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const TOPIC_ID_MAX_LENGTH = 100;

export function isTopicId(value: unknown): value is TopicId {
  return (
    typeof value === 'string' &&
    value.length <= TOPIC_ID_MAX_LENGTH &&
    TOPIC_ID_PATTERN.test(value)
  );
}

export function parseTopicId(value: unknown, field = 'topicId'): TopicId {
  if (!isTopicId(value)) {
    throw new InvalidValueError(
      field,
      'isSlug',
      `${field} must be a slug of lower-case letters, digits and single hyphens (at most ${TOPIC_ID_MAX_LENGTH} characters), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
