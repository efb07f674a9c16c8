import { Query } from '@nestjs/cqrs';
import type { CalendarDate } from '@stance-ledger/domain';
import type { Answer, Timeline } from '../answers/answer';
import type { Asked } from '../answers/answer-cache';

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
