import { Query } from '@nestjs/cqrs';
import type { AuditedEvent } from '@stance-ledger/audit';

export interface Provenance {
  record: AuditedEvent;
  corrections: AuditedEvent[];
  retraction: AuditedEvent | null;
  /** The rows the read models hold for the record, and the log position they stand at. */
  readModel: { position: string; record: Record<string, unknown>; revisions: Record<string, unknown>[]; versions: Record<string, unknown>[] };
}

/** Where a stance record came from: its events in the log beside the read-model rows they produced. */
export class GetProvenanceQuery extends Query<Provenance> {
  constructor(readonly recordId: string) {
    super();
  }
}
