import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DefineTopicCommand, GetTopicQuery, ListTopicsQuery } from '@stance-ledger/application';
import { parseDefineTopic } from '@stance-ledger/domain';
import type { FastifyReply } from 'fastify';
import { commandContextOf } from '../http/request-context';
import { Caller, type Principal } from '../auth/principal';
import { ReadQuery } from '../http/read-queries';
import { ErrorResponse } from '../http/responses';
import { DefineTopicRequest } from './define-topic.request';
import { Access } from '../auth/access';

@ApiTags('topics')
@Controller('topics')
export class TopicsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Access('recorder')
  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Define a topic countries take positions on' })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ description: '{id, title, description, eventId, position}' })
  @ApiConflictResponse({ type: ErrorResponse, description: 'The id is already defined' })
  async define(
    @Body() request: DefineTopicRequest,
    @Headers() headers: Record<string, string>,
    @Caller() caller: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const context = commandContextOf(headers, caller);
    const topic = parseDefineTopic({ topicId: request.id, title: request.title, description: request.description });
    const receipt = await this.commandBus.execute(new DefineTopicCommand(topic, context));
    reply.header('Location', `/topics/${topic.topicId}`);
    return {
      id: topic.topicId,
      title: topic.title,
      description: topic.description,
      eventId: receipt.eventId,
      position: receipt.position.toString(),
    };
  }

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
