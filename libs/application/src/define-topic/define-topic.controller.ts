import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiConflictResponse, ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseDefineTopic } from '@stance-ledger/domain';
import type { FastifyReply } from 'fastify';
import { Access } from '../http/access';
import { Caller, type Principal } from '../http/principal';
import { commandContextOf } from '../http/request-context';
import { ErrorResponse } from '../http/responses';
import { DefineTopicCommand } from './define-topic.command';
import { DefineTopicRequest } from './define-topic.request';

@ApiTags('topics')
@Controller('topics')
export class DefineTopicController {
  constructor(private readonly commandBus: CommandBus) {}

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
}
