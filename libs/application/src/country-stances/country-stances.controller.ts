import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type CountryCode, type CountryRegistry, parseTopicId } from '@stance-ledger/domain';
import type { FastifyReply } from 'fastify';
import { Access } from '../http/access';
import { asOfOf } from '../http/as-of';
import { CountryCodePipe } from '../http/country-code.pipe';
import { sendJson } from '../http/json';
import { AsOfQuery } from '../http/read-queries';
import { CountryStancesResponse, ErrorResponse } from '../http/responses';
import { CLOCK, type Clock, COUNTRY_REGISTRY } from '../shared/tokens';
import type { StanceBody } from '../answers/answer';
import { GetCountryStancesQuery } from './get-country-stances.query';

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

@ApiTags('stances')
@ApiBadRequestResponse({ type: ErrorResponse, description: 'A field breaks a rule: the error names it' })
@Controller('countries/:code/stances')
export class CountryStancesController {
  constructor(
    private readonly queryBus: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

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
