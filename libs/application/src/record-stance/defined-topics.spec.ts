import type { EventStore } from '@stance-ledger/event-store';
import { parseTopicId } from '@stance-ledger/domain';
import { DefinedTopics } from './defined-topics';

/** Topic streams of one event each, counting the reads. */
function storeWith(defined: string[]) {
  const reads: string[] = [];
  const store = {
    readStream: async (stream: string) => {
      reads.push(stream);
      return defined.includes(stream) ? [{ type: 'TopicDefined' }] : [];
    },
  } as unknown as EventStore;
  return { store, reads, defined };
}

describe('DefinedTopics', () => {
  const [a, b, c] = ['a', 'b', 'c'].map((id) => parseTopicId(id));

  it('reads a defined topic once, and an undefined one every time, until it is defined', async () => {
    const { store, reads, defined } = storeWith(['topic-a']);
    const topics = new DefinedTopics(store);
    expect([await topics.isDefined(a), await topics.isDefined(a)]).toEqual([true, true]);
    expect([await topics.isDefined(b), await topics.isDefined(b)]).toEqual([false, false]);
    defined.push('topic-b');
    expect(await topics.isDefined(b)).toBe(true);
    expect(reads).toEqual(['topic-a', 'topic-b', 'topic-b', 'topic-b']);
  });

  it('keeps at most its bound of topics, the first seen going first', async () => {
    const { store, reads } = storeWith(['topic-a', 'topic-b', 'topic-c']);
    const topics = new DefinedTopics(store, 2);
    for (const topic of [a, b, c, c, b, a]) await topics.isDefined(topic);
    expect(reads).toEqual(['topic-a', 'topic-b', 'topic-c', 'topic-a']);
  });
});
