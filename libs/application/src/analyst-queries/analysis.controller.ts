import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock } from '../shared/tokens';
import { GetShiftsQuery, GetTimelineQuery, GetTopicMatrixQuery } from './queries';
import { type CalendarDate, type CountryCode, parseTopicId } from '@stance-ledger/domain';
import type { FastifyReply } from 'fastify';
import { asOfOf, knownAtOf } from '../http/as-of';
import { sendCsv, wantsCsv } from '../http/csv';
import { sendJson } from '../http/json';
import { AsOfQuery, ShiftsQuery, TimelineQuery } from '../http/read-queries';
import { ErrorResponse, MatrixResponse, ShiftsResponse, TimelineResponse } from '../http/responses';
import { CountryCodePipe } from '../http/country-code.pipe';
import { Access } from '../http/access';

/** The analyst's questions across countries and time: matrices, timelines, shifts. JSON or CSV. */
@ApiTags('analysis')
@ApiProduces('application/json', 'text/csv')
@ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown topic' })
@Controller()
export class AnalysisController {
  constructor(
    private readonly queryBus: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Access('analyst', { publicRead: true })
  @Get('topics/:topicId/stances')
  @ApiOperation({ summary: 'The matrix: every country with a stance on the topic in force on a day, as known at an instant' })
  @ApiOkResponse({ type: MatrixResponse })
  async matrix(
    @Param('topicId') topicId: string,
    @Query() query: AsOfQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const asOf = asOfOf(query, this.clock);
    const knownAt = asOf.knownAt.toISOString();
    const answer = await this.queryBus.execute(new GetTopicMatrixQuery(parseTopicId(topicId, 'topicId'), asOf));
    const { position, value } = answer;
    if (wantsCsv(accept)) {
      return sendCsv(
        reply,
        ['topicId', 'on', 'knownAt', 'position', 'country', 'countryName', 'stance', 'score', 'effectiveOn', 'headline', 'conditions', 'commitment', 'publisher', 'quote', 'eventId', 'corrected'],
        value.countries.map((row) => [topicId, asOf.on, knownAt, position, row.country, row.countryName, row.stance, row.score, row.effectiveOn, row.headline, row.conditions, row.commitment, row.source.publisher, row.source.quote, row.eventId, row.corrected]),
      );
    }
    return sendJson(reply, { topicId, on: asOf.on, knownAt, position: position.toString() }, answer);
  }

  @Access('analyst', { publicRead: true })
  @Get('countries/:code/timeline')
  @ApiOperation({ summary: "A country's stance records on a topic in effective-date order, each with the stance before it and its revisions" })
  @ApiOkResponse({ type: TimelineResponse })
  async timeline(
    @Param('code', CountryCodePipe) country: CountryCode,
    @Query() query: TimelineQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const knownAt = knownAtOf(query, this.clock);
    const options = {
      knownAt,
      from: query.from as CalendarDate | undefined,
      to: query.to as CalendarDate | undefined,
      includeRetracted: query.includeRetracted === 'true',
      minPosition: query.minPositionValue(),
      snapshot: query.snapshot,
    };
    const answer = await this.queryBus.execute(new GetTimelineQuery(country, query.topicId, options));
    const { position, value } = answer;
    if (wantsCsv(accept)) {
      return sendCsv(
        reply,
        ['country', 'topicId', 'effectiveOn', 'stance', 'score', 'beforeStance', 'direction', 'headline', 'publisher', 'speaker', 'quote', 'eventId', 'recordedAt', 'corrections', 'retracted', 'retractionReason', 'knownAt', 'position'],
        value.entries.map((entry) => [
          country,
          query.topicId,
          entry.effectiveOn,
          entry.stance,
          entry.score,
          entry.before?.stance,
          entry.direction,
          entry.headline,
          entry.source.publisher,
          entry.source.speaker,
          entry.quote,
          entry.eventId,
          entry.recordedAt,
          entry.correctedBy.join(' '),
          entry.retracted,
          entry.revisions.find((revision) => revision.kind === 'retracted')?.reason,
          knownAt.toISOString(),
          position,
        ]),
      );
    }
    const head = { country, topicId: query.topicId, from: query.from ?? null, to: query.to ?? null, knownAt: knownAt.toISOString(), position: position.toString() };
    return sendJson(reply, head, answer);
  }

  @Access('analyst', { publicRead: true })
  @Get('topics/:topicId/shifts')
  @ApiOperation({ summary: 'Who moved: every country whose stance on `to` differs from its stance on `from`' })
  @ApiOkResponse({ type: ShiftsResponse })
  async shifts(
    @Param('topicId') topicId: string,
    @Query() query: ShiftsQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const knownAt = knownAtOf(query, this.clock);
    const options = { from: query.from as CalendarDate, to: query.to as CalendarDate, knownAt, minPosition: query.minPositionValue(), snapshot: query.snapshot };
    const answer = await this.queryBus.execute(new GetShiftsQuery(parseTopicId(topicId, 'topicId'), options));
    const { position, value } = answer;
    if (wantsCsv(accept)) {
      return sendCsv(
        reply,
        ['topicId', 'from', 'to', 'knownAt', 'position', 'country', 'countryName', 'fromStance', 'toStance', 'direction', 'eventIds'],
        value.shifts.map((shift) => [topicId, query.from, query.to, knownAt.toISOString(), position, shift.country, shift.countryName, shift.from?.stance, shift.to?.stance, shift.direction, shift.events.map((event) => event.eventId).join(' ')]),
      );
    }
    return sendJson(reply, { topicId, from: query.from, to: query.to, knownAt: knownAt.toISOString(), position: position.toString() }, answer);
  }
}
