import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { Access } from '../http/access';
import { ReadQuery } from '../http/read-queries';
import { ErrorResponse } from '../http/responses';
import { GetTopicQuery, ListTopicsQuery } from './topics.queries';

@ApiTags('topics')
@Controller('topics')
export class TopicsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Access('credential', { publicRead: true })
  @Get()
  async list(@Query() query: ReadQuery) {
    const { position, value } = await this.queryBus.execute(new ListTopicsQuery(query.minPositionValue()));
    return { position: position.toString(), topics: value };
  }

  @Access('credential', { publicRead: true })
  @Get(':topicId')
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'Unknown topic' })
  async get(@Param('topicId') topicId: string, @Query() query: ReadQuery) {
    const { position, value } = await this.queryBus.execute(new GetTopicQuery(topicId, query.minPositionValue()));
    return { ...value, position: position.toString() };
  }
}
