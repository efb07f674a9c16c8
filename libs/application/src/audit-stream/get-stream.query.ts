import { Query } from '@nestjs/cqrs';
import type { AuditedEvent } from '@stance-ledger/audit';

export interface StreamPage {
  stream: string;
  events: AuditedEvent[];
  nextRevision: string | null;
}

/** A page of one stream in revision order; a stream with no events is not found. */
export class GetStreamQuery extends Query<StreamPage> {
  constructor(
    readonly stream: string,
    readonly fromRevision: bigint,
    readonly limit: number,
  ) {
    super();
  }
}
