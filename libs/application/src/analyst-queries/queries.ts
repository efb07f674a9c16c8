import { Query } from '@nestjs/cqrs';
import type { CalendarDate } from '@stance-ledger/domain';
import type { Answer, CountryStances, Shifts, Timeline, TopicMatrix } from './answer';
import type { Asked } from './answer-cache';

/** What every analyst question on a day shares: the day, the transaction time, and read-your-writes. */
export interface Bitemporal extends Asked {
  on: CalendarDate;
}

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

export class GetTopicMatrixQuery extends Query<Answer<TopicMatrix>> {
  constructor(
    readonly topicId: string,
    readonly asOf: Bitemporal,
  ) {
    super();
  }
}

export interface TimelineOptions extends Asked {
  from?: CalendarDate;
  to?: CalendarDate;
  includeRetracted: boolean;
}

export class GetTimelineQuery extends Query<Answer<Timeline>> {
  constructor(
    readonly country: string,
    readonly topicId: string,
    readonly options: TimelineOptions,
  ) {
    super();
  }
}

export interface ShiftsOptions extends Asked {
  from: CalendarDate;
  to: CalendarDate;
}

export class GetShiftsQuery extends Query<Answer<Shifts>> {
  constructor(
    readonly topicId: string,
    readonly options: ShiftsOptions,
  ) {
    super();
  }
}
