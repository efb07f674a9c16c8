import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../http/access';
import { ErrorResponse } from '../http/responses';
import { GetStreamQuery } from './get-stream.query';
import { StreamQuery } from './stream.request';

/** One stream of the log as evidence, with each event's link to the one before it. */
@ApiTags('audit')
@Controller('audit')
export class StreamController {
  constructor(private readonly queryBus: QueryBus) {}

  @Access('auditor')
  @Get('streams/:stream')
  @ApiOperation({ summary: "One stream's events in revision order, a page at a time" })
  @ApiNotFoundResponse({ type: ErrorResponse })
  stream(@Param('stream') stream: string, @Query() query: StreamQuery) {
    return this.queryBus.execute(new GetStreamQuery(stream, BigInt(query.fromRevision ?? '0'), query.limit ?? 100));
  }
}
