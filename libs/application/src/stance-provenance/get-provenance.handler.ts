import { Inject, NotFoundException } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { auditView } from '@stance-ledger/audit';
import { isUuid } from '@stance-ledger/domain';
import type { EventStore } from '@stance-ledger/event-store';
import { StanceQueries } from '@stance-ledger/read-models';
import { EVENT_STORE } from '../shared/tokens';
import { GetProvenanceQuery, type Provenance } from './get-provenance.query';

@QueryHandler(GetProvenanceQuery)
export class GetProvenanceHandler implements IQueryHandler<GetProvenanceQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly queries: StanceQueries,
  ) {}

  async execute({ recordId }: GetProvenanceQuery): Promise<Provenance> {
    const rows = isUuid(recordId) ? await this.queries.provenanceRows(recordId) : undefined;
    if (!rows?.value) {
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', code: 'stance_record_not_found', message: `${recordId} is not a stance record (or not projected yet)` });
    }
    const country = rows.value.record.country as string;
    const events = (await this.store.readStream(`country-${country}`)).filter(
      (event) => event.eventId === recordId || (event.data as { recordId?: string }).recordId === recordId,
    );
    const [record, ...revisions] = events.map(auditView);
    return {
      record,
      corrections: revisions.filter((event) => event.type === 'StanceCorrected'),
      retraction: revisions.find((event) => event.type === 'StanceRetracted') ?? null,
      readModel: { position: rows.position.toString(), ...rows.value },
    };
  }
}
