import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type AtPosition, type StanceInForce, StanceQueries } from '@stance-ledger/read-models';
import { ProjectionProgress } from '../projection/projection-progress';
import { TopicNotFoundError } from '../shared/errors';
import { GetCountryStancesQuery } from './get-country-stances.query';

@QueryHandler(GetCountryStancesQuery)
export class GetCountryStancesHandler implements IQueryHandler<GetCountryStancesQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute(query: GetCountryStancesQuery): Promise<AtPosition<StanceInForce[]>> {
    await this.progress.waitFor(query.minPosition);
    if (query.topicId !== undefined) {
      const topic = await this.queries.topics(query.topicId);
      if (topic.value.length === 0) throw new TopicNotFoundError(query.topicId);
    }
    return this.queries.stancesInForce(query.country, query.on, query.topicId);
  }
}
