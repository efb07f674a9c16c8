import { defineProjection } from './projection/read-model';

const TOPIC_COLUMNS = 'topic_id, title, description, defined_at, position';

/** The topics, one row each. Topics are few: lane 0 takes them all (no lane key). */
export const topicsProjection = defineProjection({
  name: 'topics',
  tables: [{ table: 'topics', key: ['topic_id'] }],
  changes: [
    {
      eventTypes: ['TopicDefined'],
      sql: (events) => `INSERT INTO topics (${TOPIC_COLUMNS})
     SELECT e.data->>'topicId', e.data->>'title', e.data->>'description', (e.metadata->>'recordedAt')::timestamptz, e.global_position
       FROM ${events} WHERE e.event_type = 'TopicDefined'
     ON CONFLICT DO NOTHING`,
    },
  ],
});
