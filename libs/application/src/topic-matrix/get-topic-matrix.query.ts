import { Query } from '@nestjs/cqrs';
import type { Answer, TopicMatrix } from '../answers/answer';
import type { Bitemporal } from '../answers/answer-cache';

export class GetTopicMatrixQuery extends Query<Answer<TopicMatrix>> {
  constructor(
    readonly topicId: string,
    readonly asOf: Bitemporal,
  ) {
    super();
  }
}
