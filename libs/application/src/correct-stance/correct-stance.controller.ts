import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CountryCode, parseCorrectStance } from '@stance-ledger/domain';
import { Access } from '../http/access';
import { CountryCodePipe } from '../http/country-code.pipe';
import { Caller, type Principal } from '../http/principal';
import { IDEMPOTENCY_HEADER, receiptBody } from '../http/receipt';
import { commandContextOf } from '../http/request-context';
import { AppendReceiptResponse, ErrorResponse } from '../http/responses';
import { CorrectStanceCommand } from './correct-stance.command';
import { CorrectStanceRequest } from './correct-stance.request';

@ApiTags('stances')
@ApiBadRequestResponse({ type: ErrorResponse, description: 'A field breaks a rule: the error names it' })
@Controller('countries/:code/stances')
export class CorrectStanceController {
  constructor(private readonly commandBus: CommandBus) {}

  @Access('recorder')
  @Post(':eventId/corrections')
  @HttpCode(201)
  @ApiOperation({ summary: 'Correct an earlier stance record; the record and the correction both stay in the log' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: AppendReceiptResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'Not a stance record of this country' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The record is retracted' })
  async correct(
    @Param('code', CountryCodePipe) country: CountryCode,
    @Param('eventId') recordId: string,
    @Body() { reason, ...changes }: CorrectStanceRequest,
    @Headers() headers: Record<string, string>,
    @Caller() caller: Principal,
  ) {
    const context = commandContextOf(headers, caller);
    const receipt = await this.commandBus.execute(new CorrectStanceCommand(parseCorrectStance(country, { recordId, changes, reason }), context));
    return receiptBody(receipt);
  }
}
