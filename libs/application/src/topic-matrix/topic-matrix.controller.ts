import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Access } from '../http/access';
import { sendCsv, wantsCsv } from '../http/csv';
import { sendJson } from '../http/json';
import { CLOCK, type Clock } from '../shared/tokens';
import { parseTopicId } from '@stance-ledger/domain';
import { asOfOf } from '../http/as-of';
import { AsOfQuery } from '../http/read-queries';
import { ErrorResponse, MatrixResponse } from '../http/responses';
import { GetTopicMatrixQuery } from './get-topic-matrix.query';

/** The matrix: every country's stance on a topic on a day, as known at an instant. JSON or CSV. */
@ApiTags('analysis')
@ApiProduces('application/json', 'text/csv')
@ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown topic' })
@Controller()
export class TopicMatrixController {
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
}
