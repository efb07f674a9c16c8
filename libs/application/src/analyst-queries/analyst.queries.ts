import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { CalendarDate } from '@stance-ledger/domain';
import { type AtPosition, type Shift, StanceQueries, type StanceView, type TimelineEntry } from '@stance-ledger/read-models';
import { ProjectionProgress } from '../projection/projection-progress';
import { TopicNotFoundError } from '../shared/errors';

/** What every analyst question shares: the day, the transaction time, and read-your-writes. */
export interface Bitemporal {
  on: CalendarDate;
  knownAt: Date;
  minPosition?: bigint;
  /** Answer from a snapshot of the read models (replay --until-…) instead of the live ones. */
  snapshot?: string;
}

export class GetCountryStancesQuery extends Query<AtPosition<StanceView[]>> {
  constructor(
    readonly country: string,
    readonly asOf: Bitemporal,
    readonly topicId?: string,
  ) {
    super();
  }
}

export class GetTopicMatrixQuery extends Query<AtPosition<StanceView[]>> {
  constructor(
    readonly topicId: string,
    readonly asOf: Bitemporal,
  ) {
    super();
  }
}

export class GetTimelineQuery extends Query<AtPosition<TimelineEntry[]>> {
  constructor(
    readonly country: string,
    readonly topicId: string,
    readonly options: { knownAt: Date; from?: CalendarDate; to?: CalendarDate; includeRetracted: boolean; minPosition?: bigint; snapshot?: string },
  ) {
    super();
  }
}

export class GetShiftsQuery extends Query<AtPosition<Shift[]>> {
  constructor(
    readonly topicId: string,
    readonly options: { from: CalendarDate; to: CalendarDate; knownAt: Date; minPosition?: bigint; snapshot?: string },
  ) {
    super();
  }
}

/** Waits for minPosition, then checks the topic exists in the same read models. */
async function prepare(
  live: StanceQueries,
  progress: ProjectionProgress,
  options: { minPosition?: bigint; snapshot?: string },
  topicId?: string,
): Promise<StanceQueries> {
  // A snapshot is a fixed past: there is nothing to wait for.
  if (options.snapshot === undefined) await progress.waitFor(options.minPosition);
  const queries = live.inSnapshot(options.snapshot);
  if (topicId !== undefined && !(await queries.topicExists(topicId))) throw new TopicNotFoundError(topicId);
  return queries;
}

@QueryHandler(GetCountryStancesQuery)
export class GetCountryStancesHandler implements IQueryHandler<GetCountryStancesQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute({ country, asOf, topicId }: GetCountryStancesQuery): Promise<AtPosition<StanceView[]>> {
    return (await prepare(this.queries, this.progress, asOf, topicId)).stancesInForce(country, asOf, topicId);
  }
}

@QueryHandler(GetTopicMatrixQuery)
export class GetTopicMatrixHandler implements IQueryHandler<GetTopicMatrixQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute({ topicId, asOf }: GetTopicMatrixQuery): Promise<AtPosition<StanceView[]>> {
    return (await prepare(this.queries, this.progress, asOf, topicId)).matrix(topicId, asOf);
  }
}

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute({ country, topicId, options }: GetTimelineQuery): Promise<AtPosition<TimelineEntry[]>> {
    return (await prepare(this.queries, this.progress, options, topicId)).timeline(country, topicId, options);
  }
}

@QueryHandler(GetShiftsQuery)
export class GetShiftsHandler implements IQueryHandler<GetShiftsQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute({ topicId, options }: GetShiftsQuery): Promise<AtPosition<Shift[]>> {
    return (await prepare(this.queries, this.progress, options, topicId)).shifts(topicId, options);
  }
}
