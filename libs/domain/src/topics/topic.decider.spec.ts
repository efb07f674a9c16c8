import { InvalidValueError, TopicAlreadyDefinedError } from '../shared/errors';
import { deciderSpecification } from '../../../../test/support/decider-specification';
import type { TopicDefined } from '../events';
import { type DefineTopic, type DefineTopicInput, parseDefineTopic, topicDecider } from './topic.decider';

const spec = deciderSpecification(topicDecider, () => undefined);

const forceInput: DefineTopicInput = {
  topicId: 'ukraine-multinational-force',
  title: '  Post-ceasefire multinational force in Ukraine ',
  description: 'Whether the country would contribute troops.',
};
const defineForce: DefineTopic = { type: 'DefineTopic', data: parseDefineTopic(forceInput) };

const forceDefined = {
  type: 'TopicDefined',
  data: {
    topicId: 'ukraine-multinational-force',
    title: 'Post-ceasefire multinational force in Ukraine',
    description: 'Whether the country would contribute troops.',
  },
} as TopicDefined;

/** How a value that breaks a rule is refused where it enters: naming the field and the rule. */
function expectRefused(input: Partial<DefineTopicInput>, match: { field: string; rule: string }): void {
  const parse = () => parseDefineTopic({ ...forceInput, ...input });
  expect(parse).toThrow(InvalidValueError);
  expect(parse).toThrow(expect.objectContaining(match));
}

describe('DefineTopic', () => {
  it('defines a new topic, trimming its texts', () => {
    spec.given([]).when(defineForce).then([forceDefined]);
  });

  it('refuses to define a topic twice', () => {
    spec.given([forceDefined]).when(defineForce).thenThrows(TopicAlreadyDefinedError, { topicId: 'ukraine-multinational-force' });
  });

  it.each(['Ukraine Force', 'ukraine--force', '-force', 'force-', '', 'a'.repeat(101)])(
    'rejects the id %j, which is not a slug',
    (topicId) => {
      expectRefused({ topicId }, { field: 'id', rule: 'isSlug' });
    },
  );

  it('requires a title', () => {
    expectRefused({ title: '   ' }, { field: 'title', rule: 'isNotEmpty' });
  });

  it('bounds the description', () => {
    expectRefused({ description: 'x'.repeat(5001) }, { field: 'description', rule: 'maxLength' });
  });
});
