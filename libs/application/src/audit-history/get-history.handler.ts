import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { historyPage } from '@stance-ledger/audit';
import type { EventStore } from '@stance-ledger/event-store';
import { EVENT_STORE } from '../shared/tokens';
import { GetHistoryQuery, type HistoryPage } from './get-history.query';

@QueryHandler(GetHistoryQuery)
export class GetHistoryHandler implements IQueryHandler<GetHistoryQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute({ filter }: GetHistoryQuery): Promise<HistoryPage> {
    return historyPage(this.store, filter);
  }
}
