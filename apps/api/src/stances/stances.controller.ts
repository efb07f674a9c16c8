import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CLOCK, type Clock, COUNTRY_REGISTRY, GetCountryStancesQuery, RecordStanceCommand } from '@stance-ledger/application';
import { calendarDateOf, type CalendarDate, type CountryCode, type CountryRegistry, parseTopicId } from '@stance-ledger/domain';
import type { StanceInForce } from '@stance-ledger/read-models';
import { commandContextFromHeaders } from '../http/request-context';
import { CountryCodePipe } from './country-code.pipe';
import { AsOfQuery } from './read.query';
import { RecordStanceRequest } from './record-stance.request';

const NO_STANCE: Record<keyof StanceInForce, null> = {
  topicId: null,
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
};

@Controller('countries/:code/stances')
export class StancesController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  @Post()
  @HttpCode(201)
  async record(
    @Param('code', CountryCodePipe) country: CountryCode,
    @Body() request: RecordStanceRequest,
    @Headers() headers: Record<string, string>,
  ) {
    const receipt = await this.commandBus.execute(
      new RecordStanceCommand({ ...request, country }, commandContextFromHeaders(headers)),
    );
    return {
      eventId: receipt.eventId,
      stream: receipt.stream,
      revision: receipt.revision.toString(),
      position: receipt.position.toString(),
    };
  }

  @Get()
  async inForce(@Param('code', CountryCodePipe) country: CountryCode, @Query() query: AsOfQuery) {
    const on = this.dayOf(query);
    const { position, value } = await this.queryBus.execute(
      new GetCountryStancesQuery(country, on, undefined, query.minPositionValue()),
    );
    return { country, countryName: this.countries.nameOf(country), on, position: position.toString(), stances: value };
  }

  @Get(':topicId')
  async inForceOnTopic(
    @Param('code', CountryCodePipe) country: CountryCode,
    @Param('topicId') topicId: string,
    @Query() query: AsOfQuery,
  ) {
    const on = this.dayOf(query);
    const { position, value } = await this.queryBus.execute(
      new GetCountryStancesQuery(country, on, parseTopicId(topicId, 'topicId'), query.minPositionValue()),
    );
    return {
      country,
      countryName: this.countries.nameOf(country),
      on,
      position: position.toString(),
      ...(value[0] ?? NO_STANCE),
      topicId,
    };
  }

  private dayOf(query: AsOfQuery): CalendarDate {
    return (query.on as CalendarDate | undefined) ?? calendarDateOf(this.clock.now());
  }
}
