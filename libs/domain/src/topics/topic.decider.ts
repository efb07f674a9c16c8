import type { TopicDefined, TopicEvent } from '../events';
import type { Decider } from '../shared/decider';
import { TopicAlreadyDefinedError } from '../shared/errors';
import { requiredText } from '../shared/text';
import { parseTopicId } from '../shared/topic-id';

export interface DefineTopic {
  type: 'DefineTopic';
  data: { topicId: string; title: string; description: string };
}

export type TopicCommand = DefineTopic;

export interface TopicState {
  defined: boolean;
}

export const TOPIC_TITLE_MAX_LENGTH = 200;
export const TOPIC_DESCRIPTION_MAX_LENGTH = 5000;

function defineTopic(command: DefineTopic, state: TopicState): TopicDefined[] {
  const topicId = parseTopicId(command.data.topicId, 'id');
  if (state.defined) throw new TopicAlreadyDefinedError(topicId);
  return [
    {
      type: 'TopicDefined',
      data: {
        topicId,
        title: requiredText(command.data.title, 'title', TOPIC_TITLE_MAX_LENGTH),
        description: requiredText(command.data.description, 'description', TOPIC_DESCRIPTION_MAX_LENGTH),
      },
    },
  ];
}

export const topicDecider: Decider<TopicCommand, TopicEvent, TopicState, void> = {
  initialState: () => ({ defined: false }),
  evolve(state, event) {
    switch (event.type) {
      case 'TopicDefined':
        return { ...state, defined: true };
      default: {
        const _exhaustive: never = event.type;
        return state;
      }
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'DefineTopic':
        return defineTopic(command, state);
      default: {
        const _exhaustive: never = command.type;
        throw new Error(`unknown command ${String(_exhaustive)}`);
      }
    }
  },
};
