import { Inject, NotFoundException } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { streamPage } from '@stance-ledger/audit';
import type { EventStore } from '@stance-ledger/event-store';
import { EVENT_STORE } from '../shared/tokens';
import { GetStreamQuery, type StreamPage } from './get-stream.query';

@QueryHandler(GetStreamQuery)
export class GetStreamHandler implements IQueryHandler<GetStreamQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ stream, fromRevision, limit }: GetStreamQuery): Promise<StreamPage> {
    const page = await streamPage(this.store, stream, { fromRevision, limit });
    if (page.events.length === 0 && fromRevision === 0n) {
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', code: 'stream_not_found', message: `stream '${stream}' has no events` });
    }
    return { stream, ...page };
  }
}
