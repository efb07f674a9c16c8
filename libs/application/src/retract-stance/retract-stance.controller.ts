import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CountryCode, parseRetractStance } from '@stance-ledger/domain';
import { Access } from '../http/access';
import { CountryCodePipe } from '../http/country-code.pipe';
import { Caller, type Principal } from '../http/principal';
import { IDEMPOTENCY_HEADER, receiptBody } from '../http/receipt';
import { commandContextOf } from '../http/request-context';
import { AppendReceiptResponse, ErrorResponse } from '../http/responses';
import { RetractStanceCommand } from './retract-stance.command';
import { RetractStanceRequest } from './retract-stance.request';

@ApiTags('stances')
@ApiBadRequestResponse({ type: ErrorResponse, description: 'A field breaks a rule: the error names it' })
@Controller('countries/:code/stances')
export class RetractStanceController {
  constructor(private readonly commandBus: CommandBus) {}

  @Access('recorder')
  @Post(':eventId/retractions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Retract an earlier stance record, with a reason' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: AppendReceiptResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'Not a stance record of this country' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'Already retracted' })
  async retract(
    @Param('code', CountryCodePipe) country: CountryCode,
    @Param('eventId') recordId: string,
    @Body() { reason }: RetractStanceRequest,
    @Headers() headers: Record<string, string>,
    @Caller() caller: Principal,
  ) {
    const context = commandContextOf(headers, caller);
    const receipt = await this.commandBus.execute(new RetractStanceCommand(parseRetractStance(country, { recordId, reason }), context));
    return receiptBody(receipt);
  }
}
