import { Query } from '@nestjs/cqrs';
import type { AuditedEvent, HistoryFilter } from '@stance-ledger/audit';

export interface HistoryPage {
  events: AuditedEvent[];
  nextAfterPosition: string | null;
}

/** A page of the whole log in log order, filtered: read from the event store, never from read models. */
export class GetHistoryQuery extends Query<HistoryPage> {
  constructor(readonly filter: HistoryFilter) {
    super();
  }
}
