import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type CountryRegistry, STANCES } from '@stance-ledger/domain';
import { type Answer, ofKnownTopic, shaped, stanceBody, type TopicMatrix } from '../answers/answer';
import { AnswerCache } from '../answers/answer-cache';
import { COUNTRY_REGISTRY } from '../shared/tokens';
import { GetTopicMatrixQuery } from './get-topic-matrix.query';

@QueryHandler(GetTopicMatrixQuery)
export class GetTopicMatrixHandler implements IQueryHandler<GetTopicMatrixQuery> {
  constructor(
    private readonly answers: AnswerCache,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  execute({ topicId, asOf }: GetTopicMatrixQuery): Promise<Answer<TopicMatrix>> {
    return this.answers.answer(`matrix ${topicId} ${asOf.on}`, asOf, async (queries) =>
      shaped(ofKnownTopic(topicId, await queries.matrix(topicId, asOf)), (views) => ({
        countries: views.map((view) => ({ country: view.country, countryName: this.countries.nameOf(view.country), ...stanceBody(view) })),
        counts: Object.fromEntries(STANCES.map((stance) => [stance, views.filter((view) => view.stance === stance).length])) as TopicMatrix['counts'],
      })),
    );
  }
}
