import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CountryCode, parseRecordStance } from '@stance-ledger/domain';
import { Access } from '../http/access';
import { CountryCodePipe } from '../http/country-code.pipe';
import { Caller, type Principal } from '../http/principal';
import { IDEMPOTENCY_HEADER, receiptBody } from '../http/receipt';
import { commandContextOf } from '../http/request-context';
import { AppendReceiptResponse, ErrorResponse } from '../http/responses';
import { RecordStanceCommand } from './record-stance.command';
import { RecordStanceRequest } from './record-stance.request';

@ApiTags('stances')
@ApiBadRequestResponse({ type: ErrorResponse, description: 'A field breaks a rule: the error names it' })
@Controller('countries/:code/stances')
export class RecordStanceController {
  constructor(private readonly commandBus: CommandBus) {}

  @Access('recorder')
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Record a stance of a country on a topic' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: AppendReceiptResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown topic' })
  async record(
    @Param('code', CountryCodePipe) country: CountryCode,
    @Body() request: RecordStanceRequest,
    @Headers() headers: Record<string, string>,
    @Caller() caller: Principal,
  ) {
    const context = commandContextOf(headers, caller);
    const receipt = await this.commandBus.execute(new RecordStanceCommand(parseRecordStance(country, request), context));
    return receiptBody(receipt);
  }
}
