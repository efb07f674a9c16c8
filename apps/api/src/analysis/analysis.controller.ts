import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CLOCK, type Clock, COUNTRY_REGISTRY, GetShiftsQuery, GetTimelineQuery, GetTopicMatrixQuery } from '@stance-ledger/application';
import { type CalendarDate, type CountryCode, type CountryRegistry, parseTopicId, STANCES } from '@stance-ledger/domain';
import type { StanceView } from '@stance-ledger/read-models';
import type { FastifyReply } from 'fastify';
import { asOfOf, knownAtOf } from '../http/as-of';
import { AnswerCache } from '../http/answer-cache';
import { sendCsv, wantsCsv } from '../http/csv';
import { sendJson } from '../http/json';
import { AsOfQuery, ShiftsQuery, TimelineQuery } from '../http/read-queries';
import { ErrorResponse, MatrixResponse, ShiftsResponse, TimelineResponse } from '../http/responses';
import { CountryCodePipe } from '../stances/country-code.pipe';
import { stanceBody } from '../stances/stances.controller';
import { Access } from '../auth/access';

/** The analyst's questions across countries and time: matrices, timelines, shifts. JSON or CSV. */
@ApiTags('analysis')
@ApiProduces('application/json', 'text/csv')
@ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown topic' })
@Controller()
export class AnalysisController {
  constructor(
    private readonly queryBus: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
    private readonly answers: AnswerCache,
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
    const id = parseTopicId(topicId, 'topicId');
    const knownAt = asOf.knownAt.toISOString();
    const read = async () => {
      const { position, value } = await this.queryBus.execute(new GetTopicMatrixQuery(id, asOf));
      const countries = value.map((view) => ({ country: view.country, countryName: this.countries.nameOf(view.country), ...stanceBody(view) }));
      return { position, value, countries };
    };
    if (wantsCsv(accept)) {
      const { position, countries } = await read();
      return sendCsv(
        reply,
        ['topicId', 'on', 'knownAt', 'position', 'country', 'countryName', 'stance', 'score', 'effectiveOn', 'headline', 'conditions', 'commitment', 'publisher', 'quote', 'eventId', 'corrected'],
        countries.map((row) => [topicId, asOf.on, knownAt, position, row.country, row.countryName, row.stance, row.score, row.effectiveOn, row.headline, row.conditions, row.commitment, row.source.publisher, row.source.quote, row.eventId, row.corrected]),
      );
    }
    const { position, body } = await this.answers.answer(`matrix ${id} ${asOf.on}`, asOf, async () => {
      const { position, value, countries } = await read();
      const counts = Object.fromEntries(STANCES.map((stance) => [stance, value.filter((view) => view.stance === stance).length]));
      return { position, json: `"countries":${JSON.stringify(countries)},"counts":${JSON.stringify(counts)}` };
    });
    return sendJson(
      reply,
      [
        ['topicId', topicId],
        ['on', asOf.on],
        ['knownAt', knownAt],
        ['position', position.toString()],
      ],
      body,
    );
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
    const read = async () => {
      const { position, value } = await this.queryBus.execute(new GetTimelineQuery(country, query.topicId, options));
      return { position, entries: value.map((entry) => ({ ...stanceBody(entry), quote: entry.source.quote })) };
    };
    if (wantsCsv(accept)) {
      const { position, entries } = await read();
      return sendCsv(
        reply,
        ['country', 'topicId', 'effectiveOn', 'stance', 'score', 'beforeStance', 'direction', 'headline', 'publisher', 'speaker', 'quote', 'eventId', 'recordedAt', 'corrections', 'retracted', 'retractionReason', 'knownAt', 'position'],
        entries.map((entry) => [
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
    const key = `timeline ${country} ${query.topicId} ${query.from ?? ''} ${query.to ?? ''} ${options.includeRetracted}`;
    const { position, body } = await this.answers.answer(key, options, async () => {
      const { position, entries } = await read();
      return { position, json: `"entries":${JSON.stringify(entries)}` };
    });
    return sendJson(
      reply,
      [
        ['country', country],
        ['topicId', query.topicId],
        ['from', query.from ?? null],
        ['to', query.to ?? null],
        ['knownAt', knownAt.toISOString()],
        ['position', position.toString()],
      ],
      body,
    );
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
    const id = parseTopicId(topicId, 'topicId');
    const options = {
      from: query.from as CalendarDate,
      to: query.to as CalendarDate,
      knownAt,
      minPosition: query.minPositionValue(),
      snapshot: query.snapshot,
    };
    const view = (stance: StanceView | null) => (stance ? stanceBody(stance) : null);
    const read = async () => {
      const { position, value } = await this.queryBus.execute(new GetShiftsQuery(id, options));
      const shifts = value.map((shift) => ({
        country: shift.country,
        countryName: this.countries.nameOf(shift.country),
        from: view(shift.from),
        to: view(shift.to),
        direction: shift.direction,
        events: shift.events.map(stanceBody),
      }));
      return { position, shifts };
    };
    if (wantsCsv(accept)) {
      const { position, shifts } = await read();
      return sendCsv(
        reply,
        ['topicId', 'from', 'to', 'knownAt', 'position', 'country', 'countryName', 'fromStance', 'toStance', 'direction', 'eventIds'],
        shifts.map((shift) => [topicId, query.from, query.to, knownAt.toISOString(), position, shift.country, shift.countryName, shift.from?.stance, shift.to?.stance, shift.direction, shift.events.map((event) => event.eventId).join(' ')]),
      );
    }
    const { position, body } = await this.answers.answer(`shifts ${id} ${query.from} ${query.to}`, options, async () => {
      const { position, shifts } = await read();
      return { position, json: `"shifts":${JSON.stringify(shifts)}` };
    });
    return sendJson(
      reply,
      [
        ['topicId', topicId],
        ['from', query.from],
        ['to', query.to],
        ['knownAt', knownAt.toISOString()],
        ['position', position.toString()],
      ],
      body,
    );
  }
}
