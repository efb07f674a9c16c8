import { Query } from '@nestjs/cqrs';
import type { Answer, CountryStances } from '../answers/answer';
import type { Bitemporal } from '../answers/answer-cache';

/** Its stance on every topic, or on the one given (then an unknown topic is refused). */
export class GetCountryStancesQuery extends Query<Answer<CountryStances>> {
  constructor(
    readonly country: string,
    readonly asOf: Bitemporal,
    readonly topicId?: string,
  ) {
    super();
  }
}
