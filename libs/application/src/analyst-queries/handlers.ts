import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type CountryRegistry, STANCES } from '@stance-ledger/domain';
import type { AtPosition, StanceView } from '@stance-ledger/read-models';
import { TopicNotFoundError } from '../shared/errors';
import { COUNTRY_REGISTRY } from '../shared/tokens';
import { type Answer, type CountryStances, type Shifts, stanceBody, type Timeline, type TopicMatrix } from './answer';
import { AnswerCache } from './answer-cache';
import { GetCountryStancesQuery, GetShiftsQuery, GetTimelineQuery, GetTopicMatrixQuery } from './queries';

/** The answer, unless its topic does not exist in the read models it was read from. */
function ofKnownTopic<T>(topicId: string | undefined, answer: AtPosition<T>): AtPosition<T> {
  if (topicId !== undefined && answer.topicFound === false) throw new TopicNotFoundError(topicId);
  return { position: answer.position, value: answer.value };
}

function shaped<T, U>({ position, value }: AtPosition<T>, shape: (value: T) => U): AtPosition<U> {
  return { position, value: shape(value) };
}

@QueryHandler(GetCountryStancesQuery)
export class GetCountryStancesHandler implements IQueryHandler<GetCountryStancesQuery> {
  constructor(private readonly answers: AnswerCache) {}

  execute({ country, asOf, topicId }: GetCountryStancesQuery): Promise<Answer<CountryStances>> {
    return this.answers.answer(`stances ${country} ${topicId ?? ''} ${asOf.on}`, asOf, async (queries) =>
      shaped(ofKnownTopic(topicId, await queries.stancesInForce(country, asOf, topicId)), (views) => ({ stances: views.map(stanceBody) })),
    );
  }
}

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

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery> {
  constructor(private readonly answers: AnswerCache) {}

  execute({ country, topicId, options }: GetTimelineQuery): Promise<Answer<Timeline>> {
    const key = `timeline ${country} ${topicId} ${options.from ?? ''} ${options.to ?? ''} ${options.includeRetracted}`;
    return this.answers.answer(key, options, async (queries) =>
      shaped(ofKnownTopic(topicId, await queries.timeline(country, topicId, options)), (entries) => ({
        entries: entries.map((entry) => ({ ...stanceBody(entry), quote: entry.source.quote })),
      })),
    );
  }
}

@QueryHandler(GetShiftsQuery)
export class GetShiftsHandler implements IQueryHandler<GetShiftsQuery> {
  constructor(
    private readonly answers: AnswerCache,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  execute({ topicId, options }: GetShiftsQuery): Promise<Answer<Shifts>> {
    const body = (stance: StanceView | null) => (stance ? stanceBody(stance) : null);
    return this.answers.answer(`shifts ${topicId} ${options.from} ${options.to}`, options, async (queries) =>
      shaped(ofKnownTopic(topicId, await queries.shifts(topicId, options)), (shifts) => ({
        shifts: shifts.map((shift) => ({
          country: shift.country,
          countryName: this.countries.nameOf(shift.country),
          from: body(shift.from),
          to: body(shift.to),
          direction: shift.direction,
          events: shift.events.map(stanceBody),
        })),
      })),
    );
  }
}

export const ANALYST_QUERY_HANDLERS = [GetCountryStancesHandler, GetTopicMatrixHandler, GetTimelineHandler, GetShiftsHandler];
