import { type TopicId, topicStream } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';

/** Topics kept as known to be defined; beyond it the first seen goes first. */
const DEFAULT_MAX_TOPICS = 10_000;

/**
 * Whether a topic is defined, read from the topic's own stream (the truth, not a read model that
 * may lag). A topic is never undefined once defined, so one seen defined is not read again; one
 * not defined is read every time, as another process may define it.
 */
export class DefinedTopics {
  private readonly known = new Set<TopicId>();

  constructor(
    private readonly store: EventStore,
    private readonly maxTopics = DEFAULT_MAX_TOPICS,
  ) {}

  async isDefined(topicId: TopicId): Promise<boolean> {
    if (this.known.has(topicId)) return true;
    const defined = (await this.store.readStream(topicStream(topicId), { maxCount: 1 })).length > 0;
    if (defined) this.remember(topicId);
    return defined;
  }

  private remember(topicId: TopicId): void {
    this.known.add(topicId);
    if (this.known.size > this.maxTopics) this.known.delete(this.known.values().next().value as TopicId);
  }
}
