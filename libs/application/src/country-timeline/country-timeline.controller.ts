import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../http/access';
import { sendCsv, wantsCsv } from '../http/csv';
import { sendJson } from '../http/json';
import { CLOCK, type Clock } from '../shared/tokens';
import type { CalendarDate, CountryCode } from '@stance-ledger/domain';
import { knownAtOf } from '../http/as-of';
import { CountryCodePipe } from '../http/country-code.pipe';
import { TimelineQuery } from '../http/read-queries';
import { ErrorResponse, TimelineResponse } from '../http/responses';
import { GetTimelineQuery } from './get-timeline.query';

/** A country's path on a topic over effective dates. JSON or CSV. */
@ApiTags('analysis')
@ApiProduces('application/json', 'text/csv')
@ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown topic' })
@Controller()
export class CountryTimelineController {
  constructor(
    private readonly queryBus: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

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
}
