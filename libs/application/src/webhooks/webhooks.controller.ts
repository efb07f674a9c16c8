import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from '../http/access';
import { Caller, type Principal } from '../http/principal';
import { ErrorResponse } from '../http/responses';
import {
  CreatedWebhookResponse,
  CreateWebhookRequest,
  DeliveriesResponse,
  WebhookPayload,
  WebhookResponse,
  WebhooksResponse,
} from './webhooks.request';
import { Webhooks } from './webhooks';

/** An analyst's watchlists pushed to their receivers; admins see and delete every one. */
@ApiTags('webhooks')
@ApiExtraModels(WebhookPayload)
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: Webhooks) {}

  @Access('analyst')
  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Register a webhook: matching stance changes are POSTed to its url, signed with the secret in this answer (shown once)',
    description:
      'Each POST is a WebhookPayload `{webhookId, changes: [...]}` (up to 100 changes, each shaped as GET /feed\'s data), in log order, from the read models\' checkpoint at creation on. ' +
      'Headers: X-Stance-Ledger-Delivery (the same on every retry of a batch), X-Stance-Ledger-Timestamp (Unix seconds of the attempt), ' +
      'X-Stance-Ledger-Signature: sha256=<hex HMAC-SHA256 keyed with the secret, of "<timestamp>.<raw body>">. At least once; a batch is retried until a 2xx.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'A field breaks a rule (url not http(s), not absolute or not an allowed host; a bad filter): the error names it' })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'WEBHOOK_SECRET_KEY is not configured' })
  create(@Body() request: CreateWebhookRequest, @Caller() caller: Principal) {
    return this.webhooks.create(request, caller);
  }

  @Access('analyst', { alsoRoles: ['admin'] })
  @Get()
  @ApiOperation({ summary: "The caller's webhooks (an admin: every one) with their state, checkpoint, last delivery and last error; never a secret" })
  @ApiOkResponse({ type: WebhooksResponse })
  async list(@Caller() caller: Principal) {
    return { webhooks: await this.webhooks.list(caller) };
  }

  @Access('analyst', { alsoRoles: ['admin'] })
  @Get(':id/deliveries')
  @ApiOperation({ summary: "A webhook's last 100 delivery attempts, newest first: delivery id, status, response code, error, attempt, when, next try" })
  @ApiOkResponse({ type: DeliveriesResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No such webhook, or not the caller\'s' })
  async deliveries(@Param('id') id: string, @Caller() caller: Principal) {
    return { deliveries: await this.webhooks.deliveries(id, caller) };
  }

  @Access('analyst', { alsoRoles: ['admin'] })
  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restart a failing webhook from its checkpoint: the batch it gave up on is sent again at once (same delivery id), with a new retry horizon' })
  @ApiOkResponse({ type: WebhookResponse })
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No such webhook, or not the caller\'s' })
  resume(@Param('id') id: string, @Caller() caller: Principal) {
    return this.webhooks.resume(id, caller);
  }

  @Access('analyst', { alsoRoles: ['admin'] })
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook: its deliveries stop (an attempt in flight may still arrive)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ErrorResponse, description: 'No such webhook, or not the caller\'s' })
  async delete(@Param('id') id: string, @Caller() caller: Principal): Promise<void> {
    await this.webhooks.delete(id, caller);
  }
}
