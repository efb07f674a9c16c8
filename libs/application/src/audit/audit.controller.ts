import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE } from '../shared/tokens';
import { auditView, historyPage, latestVerification, streamPage } from '@stance-ledger/audit';
import type { EventStore } from '@stance-ledger/event-store';
import { StanceQueries } from '@stance-ledger/read-models';
import { DataSource } from 'typeorm';
import { ErrorResponse } from '../http/responses';
import { HistoryQuery, StreamQuery } from './audit.request';
import { Access } from '../http/access';

/** The history as evidence: the log itself, read from the event store, never from read models. */
@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly queries: StanceQueries,
    private readonly dataSource: DataSource,
  ) {}

  @Access('auditor')
  @Get('events')
  @ApiOperation({ summary: 'Every recorded event in log order, with its provenance and hashes, a page at a time' })
  events(@Query() query: HistoryQuery) {
    return historyPage(this.store, {
      afterPosition: query.afterPosition === undefined ? undefined : BigInt(query.afterPosition),
      limit: query.limit ?? 100,
      stream: query.stream,
      type: query.type,
      recordedFrom: query.recordedFrom ? new Date(query.recordedFrom) : undefined,
      recordedTo: query.recordedTo ? new Date(query.recordedTo) : undefined,
    });
  }

  @Access('auditor')
  @Get('streams/:stream')
  @ApiOperation({ summary: "One stream's events in revision order, a page at a time" })
  async stream(@Param('stream') stream: string, @Query() query: StreamQuery) {
    const page = await streamPage(this.store, stream, { fromRevision: BigInt(query.fromRevision ?? '0'), limit: query.limit ?? 100 });
    if (page.events.length === 0 && (query.fromRevision ?? '0') === '0') throw new NotFoundException({ statusCode: 404, error: 'Not Found', code: 'stream_not_found', message: `stream '${stream}' has no events` });
    return { stream, ...page };
  }

  @Access('auditor')
  @Get('stances/:eventId')
  @ApiOperation({ summary: 'Provenance of a stance record: the record, its corrections and retraction, and the read-model rows they produced' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  async stance(@Param('eventId') eventId: string) {
    const rows = /^[0-9a-f-]{36}$/i.test(eventId) ? await this.queries.provenanceRows(eventId) : undefined;
    if (!rows?.value) {
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', code: 'stance_record_not_found', message: `${eventId} is not a stance record (or not projected yet)` });
    }
    const country = rows.value.record.country as string;
    const events = (await this.store.readStream(`country-${country}`)).filter(
      (event) => event.eventId === eventId || (event.data as { recordId?: string }).recordId === eventId,
    );
    const [record, ...revisions] = events.map(auditView);
    return {
      record,
      corrections: revisions.filter((event) => event.type === 'StanceCorrected'),
      retraction: revisions.find((event) => event.type === 'StanceRetracted') ?? null,
      readModel: { position: rows.position.toString(), ...rows.value },
    };
  }

  @Access('auditor')
  @Get('integrity')
  @ApiOperation({ summary: 'The report of the last verification (npm run cli -- verify)' })
  async integrity() {
    const report = await latestVerification(this.dataSource);
    if (!report) throw new NotFoundException({ statusCode: 404, error: 'Not Found', code: 'not_verified', message: 'no verification has run yet: npm run cli -- verify' });
    return report;
  }
}
