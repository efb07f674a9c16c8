import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../http/access';
import { GetHistoryQuery } from './get-history.query';
import { HistoryQuery } from './history.request';

/** The history as evidence: every event with who recorded it and its hashes. */
@ApiTags('audit')
@Controller('audit')
export class HistoryController {
  constructor(private readonly queryBus: QueryBus) {}

  @Access('auditor')
  @Get('events')
  @ApiOperation({ summary: 'Every recorded event in log order, with its provenance and hashes, a page at a time' })
  events(@Query() query: HistoryQuery) {
    return this.queryBus.execute(
      new GetHistoryQuery({
        afterPosition: query.afterPosition === undefined ? undefined : BigInt(query.afterPosition),
        limit: query.limit ?? 100,
        stream: query.stream,
        type: query.type,
        recordedFrom: query.recordedFrom ? new Date(query.recordedFrom) : undefined,
        recordedTo: query.recordedTo ? new Date(query.recordedTo) : undefined,
      }),
    );
  }
}
