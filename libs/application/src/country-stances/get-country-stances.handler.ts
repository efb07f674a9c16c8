import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type Answer, type CountryStances, ofKnownTopic, shaped, stanceBody } from '../answers/answer';
import { AnswerCache } from '../answers/answer-cache';
import { GetCountryStancesQuery } from './get-country-stances.query';

@QueryHandler(GetCountryStancesQuery)
export class GetCountryStancesHandler implements IQueryHandler<GetCountryStancesQuery> {
  constructor(private readonly answers: AnswerCache) {}

  execute({ country, asOf, topicId }: GetCountryStancesQuery): Promise<Answer<CountryStances>> {
    return this.answers.answer(`stances ${country} ${topicId ?? ''} ${asOf.on}`, asOf, async (queries) =>
      shaped(ofKnownTopic(topicId, await queries.stancesInForce(country, asOf, topicId)), (views) => ({ stances: views.map(stanceBody) })),
    );
  }
}
