import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../http/access';
import { ErrorResponse } from '../http/responses';
import { GetIntegrityReportQuery } from './get-integrity-report.query';

@ApiTags('audit')
@Controller('audit')
export class IntegrityReportController {
  constructor(private readonly queryBus: QueryBus) {}

  @Access('auditor')
  @Get('integrity')
  @ApiOperation({ summary: 'The report of the last verification (npm run cli -- verify)' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  integrity() {
    return this.queryBus.execute(new GetIntegrityReportQuery());
  }
}
