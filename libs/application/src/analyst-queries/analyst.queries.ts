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

/** Waits for minPosition, then picks the read models to answer from: the live ones or a snapshot's. */
async function prepare(live: StanceQueries, progress: ProjectionProgress, options: { minPosition?: bigint; snapshot?: string }): Promise<StanceQueries> {
  // A snapshot is a fixed past: there is nothing to wait for.
  if (options.snapshot === undefined) await progress.waitFor(options.minPosition);
  return live.inSnapshot(options.snapshot);
}

/** The answer, unless its topic does not exist in the read models it was read from. */
function ofKnownTopic<T>(topicId: string | undefined, answer: AtPosition<T>): AtPosition<T> {
  if (topicId !== undefined && answer.topicFound === false) throw new TopicNotFoundError(topicId);
  const { topicFound: _topicFound, ...rest } = answer;
  return rest;
}

@QueryHandler(GetCountryStancesQuery)
export class GetCountryStancesHandler implements IQueryHandler<GetCountryStancesQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute({ country, asOf, topicId }: GetCountryStancesQuery): Promise<AtPosition<StanceView[]>> {
    return ofKnownTopic(topicId, await (await prepare(this.queries, this.progress, asOf)).stancesInForce(country, asOf, topicId));
  }
}

@QueryHandler(GetTopicMatrixQuery)
export class GetTopicMatrixHandler implements IQueryHandler<GetTopicMatrixQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute({ topicId, asOf }: GetTopicMatrixQuery): Promise<AtPosition<StanceView[]>> {
    return ofKnownTopic(topicId, await (await prepare(this.queries, this.progress, asOf)).matrix(topicId, asOf));
  }
}

@QueryHandler(GetTimelineQuery)
export class GetTimelineHandler implements IQueryHandler<GetTimelineQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute({ country, topicId, options }: GetTimelineQuery): Promise<AtPosition<TimelineEntry[]>> {
    return ofKnownTopic(topicId, await (await prepare(this.queries, this.progress, options)).timeline(country, topicId, options));
  }
}

@QueryHandler(GetShiftsQuery)
export class GetShiftsHandler implements IQueryHandler<GetShiftsQuery> {
  constructor(
    private readonly queries: StanceQueries,
    private readonly progress: ProjectionProgress,
  ) {}

  async execute({ topicId, options }: GetShiftsQuery): Promise<AtPosition<Shift[]>> {
    return ofKnownTopic(topicId, await (await prepare(this.queries, this.progress, options)).shifts(topicId, options));
  }
}
