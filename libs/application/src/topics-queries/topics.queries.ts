import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { type AtPosition, StanceQueries, type TopicView } from '@stance-ledger/read-models';
import { ProjectionProgress } from '../projection/projection-progress';
import { TopicNotFoundError } from '../shared/errors';

export class ListTopicsQuery extends Query<AtPosition<TopicView[]>> {
  constructor(readonly minPosition: bigint | undefined) {
    super();
  }
}

export class GetTopicQuery extends Query<AtPosition<TopicView>> {
  constructor(
    readonly topicId: string,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}

@QueryHandler(ListTopicsQuery)
export class ListTopicsHandler implements IQueryHandler<ListTopicsQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute(query: ListTopicsQuery): Promise<AtPosition<TopicView[]>> {
    await this.progress.waitFor(query.minPosition);
    return this.queries.topics();
  }
}

@QueryHandler(GetTopicQuery)
export class GetTopicHandler implements IQueryHandler<GetTopicQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute(query: GetTopicQuery): Promise<AtPosition<TopicView>> {
    await this.progress.waitFor(query.minPosition);
    const { position, value } = await this.queries.topics(query.topicId);
    if (value.length === 0) throw new TopicNotFoundError(query.topicId);
    return { position, value: value[0] };
  }
}
