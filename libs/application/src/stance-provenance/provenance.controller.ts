import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../http/access';
import { ErrorResponse } from '../http/responses';
import { GetProvenanceQuery } from './get-provenance.query';

@ApiTags('audit')
@Controller('audit')
export class ProvenanceController {
  constructor(private readonly queryBus: QueryBus) {}

  @Access('auditor')
  @Get('stances/:eventId')
  @ApiOperation({ summary: 'Provenance of a stance record: the record, its corrections and retraction, and the read-model rows they produced' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  stance(@Param('eventId') eventId: string) {
    return this.queryBus.execute(new GetProvenanceQuery(eventId));
  }
}
