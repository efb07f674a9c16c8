import { Controller, Get, Headers, Inject, Logger, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { CountryRegistry } from '@stance-ledger/domain';
import type { FastifyReply } from 'fastify';
import { Access } from '../http/access';
import { ErrorResponse } from '../http/responses';
import { APPLICATION_OPTIONS, type ApplicationOptions, DEFAULT_FEED_OPTIONS } from '../shared/options';
import { COUNTRY_REGISTRY } from '../shared/tokens';
import { ChangeFeed } from './change-feed';
import { parseFeedFilter, parseLogPosition } from './feed-change';
import { FeedChangeResponse, FollowFeedRequest } from './follow-feed.request';
import { SseSink } from './sse-sink';

/** What EventSource waits before reconnecting after a drop (it then sends Last-Event-ID). */
export const FEED_RETRY_MS = 3000;

@ApiTags('feed')
@Controller('feed')
export class FollowFeedController {
  private readonly logger = new Logger('Feed');

  constructor(
    private readonly feed: ChangeFeed,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
    @Inject(APPLICATION_OPTIONS) private readonly options: ApplicationOptions,
  ) {}

  @Access('analyst')
  @Get()
  @ApiOperation({
    summary: 'Follow stance changes live, as Server-Sent Events',
    description:
      'One `stance` event per StanceRecorded, StanceCorrected or StanceRetracted, sent once the read models reflect it (a read with minPosition = its id sees it), in log order; `id` is its log position. ' +
      'With Last-Event-ID (what EventSource sends on reconnect) or ?after=, first every matching change after that position, then live ones, with no gap and no duplicate; without either, live from now. ' +
      'A comment line at least every 15 s; a client that leaves too much unread is disconnected and resumes from its last id.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this log position (the id of the last event received)' })
  @ApiOkResponse({ description: 'text/event-stream of `event: stance` whose data is a FeedChangeResponse', type: FeedChangeResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'A filter or position breaks a rule: the error names it' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'The feed is starting or shutting down: retry' })
  async follow(@Query() query: FollowFeedRequest, @Headers('last-event-id') lastEventId: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const filter = parseFeedFilter(query, this.countries);
    const after =
      lastEventId !== undefined ? parseLogPosition(lastEventId, 'Last-Event-ID') : query.after !== undefined ? parseLogPosition(query.after, 'after') : undefined;
    if (!this.feed.accepting) throw new ServiceUnavailableException('the feed is not accepting followers now (starting or shutting down): retry in a few seconds');
    const { clientBufferBytes } = this.options.feed ?? DEFAULT_FEED_OPTIONS;
    // From here on the response is ours, not Fastify's: it stays open until either side ends it.
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
      // The socket closes with the stream, so a closing server waits for no idle connection.
      connection: 'close',
    });
    response.write(`retry: ${FEED_RETRY_MS}\n\n`);
    const sink = new SseSink(response, clientBufferBytes, () => this.feed.noteSlowDisconnect());
    response.on('close', () => this.feed.unfollow(sink));
    try {
      await this.feed.follow(sink, filter, after);
    } catch (error) {
      this.logger.warn(`a follower's catch-up failed; it will resume from its last id: ${String(error)}`);
      this.feed.unfollow(sink);
      sink.close('error');
    }
  }
}
