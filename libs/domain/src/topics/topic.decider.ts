import type { TopicDefined, TopicEvent } from '../events';
import type { Decider } from '../shared/decider';
import { TopicAlreadyDefinedError } from '../shared/errors';
import { requiredText } from '../shared/text';
import { parseTopicId } from '../shared/topic-id';

/** A topic as a client defines it. */
export interface DefineTopicInput {
  topicId: string;
  title: string;
  description: string;
}

/** Carries parsed values: the decider checks only that the topic is new. */
export interface DefineTopic {
  type: 'DefineTopic';
  data: TopicDefined['data'];
}

export type TopicCommand = DefineTopic;

export interface TopicState {
  defined: boolean;
}

export const TOPIC_TITLE_MAX_LENGTH = 200;
export const TOPIC_DESCRIPTION_MAX_LENGTH = 5000;

/** The topic's id is its `id` where clients send it. */
export function parseDefineTopic(input: DefineTopicInput): DefineTopic['data'] {
  return {
    topicId: parseTopicId(input.topicId, 'id'),
    title: requiredText(input.title, 'title', TOPIC_TITLE_MAX_LENGTH),
    description: requiredText(input.description, 'description', TOPIC_DESCRIPTION_MAX_LENGTH),
  };
}

function defineTopic(command: DefineTopic, state: TopicState): TopicDefined[] {
  if (state.defined) throw new TopicAlreadyDefinedError(command.data.topicId);
  return [{ type: 'TopicDefined', data: command.data }];
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
