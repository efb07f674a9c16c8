import { Query } from '@nestjs/cqrs';
import type { CalendarDate } from '@stance-ledger/domain';
import type { Answer, Shifts } from '../answers/answer';
import type { Asked } from '../answers/answer-cache';

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
