import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../http/access';
import { sendCsv, wantsCsv } from '../http/csv';
import { sendJson } from '../http/json';
import { CLOCK, type Clock } from '../shared/tokens';
import { type CalendarDate, parseTopicId } from '@stance-ledger/domain';
import { knownAtOf } from '../http/as-of';
import { ShiftsQuery } from '../http/read-queries';
import { ErrorResponse, ShiftsResponse } from '../http/responses';
import { GetShiftsQuery } from './get-shifts.query';

/** Who moved on a topic between two days. JSON or CSV. */
@ApiTags('analysis')
@ApiProduces('application/json', 'text/csv')
@ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown topic' })
@Controller()
export class TopicShiftsController {
  constructor(
    private readonly queryBus: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

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
