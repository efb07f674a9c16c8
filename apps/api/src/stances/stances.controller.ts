import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CLOCK,
  type Clock,
  CorrectStanceCommand,
  COUNTRY_REGISTRY,
  GetCountryStancesQuery,
  RecordStanceCommand,
  RetractStanceCommand,
  type StanceBody,
} from '@stance-ledger/application';
import { type CountryCode, type CountryRegistry, parseCorrectStance, parseRecordStance, parseRetractStance, parseTopicId } from '@stance-ledger/domain';
import type { FastifyReply } from 'fastify';
import { asOfOf } from '../http/as-of';
import { sendJson } from '../http/json';
import { AsOfQuery } from '../http/read-queries';
import { commandContextOf } from '../http/request-context';
import { Caller, type Principal } from '../auth/principal';
import { AppendReceiptResponse, CountryStancesResponse, ErrorResponse } from '../http/responses';
import { CountryCodePipe } from './country-code.pipe';
import { RecordStanceRequest } from './record-stance.request';
import { CorrectStanceRequest, RetractStanceRequest } from './revision.requests';
import { Access } from '../auth/access';

const NO_STANCE: Record<keyof Omit<StanceBody, 'topicId'>, null> = {
  stance: null,
  score: null,
  effectiveOn: null,
  headline: null,
  summary: null,
  conditions: null,
  commitment: null,
  source: null,
  eventId: null,
  recordedAt: null,
  corrected: null,
  correctedBy: null,
};

export const receiptBody = (receipt: { eventId: string; stream: string; revision: bigint; position: bigint }) => ({
  eventId: receipt.eventId,
  stream: receipt.stream,
  revision: receipt.revision.toString(),
  position: receipt.position.toString(),
});

const IDEMPOTENCY_HEADER = { name: 'Idempotency-Key', required: false, description: 'A retried request with the same key (for the same country) returns the first response and appends nothing' };

@ApiTags('stances')
@ApiBadRequestResponse({ type: ErrorResponse, description: 'A field breaks a rule: the error names it' })
@Controller('countries/:code/stances')
export class StancesController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

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

  @Access('analyst', { publicRead: true })
  @Get()
  @ApiOperation({ summary: "A country's stance on every topic, in force on a day as known at an instant" })
  @ApiOkResponse({ type: CountryStancesResponse })
  async inForce(
    @Param('code', CountryCodePipe) country: CountryCode,
    @Query() query: AsOfQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const asOf = asOfOf(query, this.clock);
    const answer = await this.queryBus.execute(new GetCountryStancesQuery(country, asOf));
    const head = { country, countryName: this.countries.nameOf(country), on: asOf.on, knownAt: asOf.knownAt.toISOString(), position: answer.position.toString() };
    return sendJson(reply, head, answer);
  }

  @Access('analyst', { publicRead: true })
  @Get(':topicId')
  @ApiOperation({ summary: "A country's stance on one topic; stance null when none was in force" })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown topic' })
  async inForceOnTopic(
    @Param('code', CountryCodePipe) country: CountryCode,
    @Param('topicId') topicId: string,
    @Query() query: AsOfQuery,
  ) {
    const asOf = asOfOf(query, this.clock);
    const { position, value } = await this.queryBus.execute(new GetCountryStancesQuery(country, asOf, parseTopicId(topicId, 'topicId')));
    const [stance] = value.stances;
    return {
      country,
      countryName: this.countries.nameOf(country),
      on: asOf.on,
      knownAt: asOf.knownAt.toISOString(),
      position: position.toString(),
      ...(stance ?? NO_STANCE),
      topicId,
    };
  }
}
