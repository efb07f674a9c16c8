import { InvalidValueError, TopicAlreadyDefinedError } from '../shared/errors';
import { deciderSpecification } from '../../../../test/support/decider-specification';
import type { TopicDefined } from '../events';
import { type DefineTopic, topicDecider } from './topic.decider';

const spec = deciderSpecification(topicDecider, () => undefined);

const defineForce: DefineTopic = {
  type: 'DefineTopic',
  data: {
    topicId: 'ukraine-multinational-force',
    title: '  Post-ceasefire multinational force in Ukraine ',
    description: 'Whether the country would contribute troops.',
  },
};

const forceDefined = {
  type: 'TopicDefined',
  data: {
    topicId: 'ukraine-multinational-force',
    title: 'Post-ceasefire multinational force in Ukraine',
    description: 'Whether the country would contribute troops.',
  },
} as TopicDefined;

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
      spec.given([]).when({ ...defineForce, data: { ...defineForce.data, topicId } }).thenThrows(InvalidValueError, { field: 'id', rule: 'isSlug' });
    },
  );

  it('requires a title', () => {
    spec.given([]).when({ ...defineForce, data: { ...defineForce.data, title: '   ' } }).thenThrows(InvalidValueError, { field: 'title', rule: 'isNotEmpty' });
  });

  it('bounds the description', () => {
    spec
      .given([])
      .when({ ...defineForce, data: { ...defineForce.data, description: 'x'.repeat(5001) } })
      .thenThrows(InvalidValueError, { field: 'description', rule: 'maxLength' });
  });
});
