import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { FeedChangeResponse, FeedFilterRequest } from '../feed/follow-feed.request';
import { MAX_DESCRIPTION, MAX_URL } from './webhooks';

/** POST /webhooks: where to push, and which changes (the same filters as GET /feed, checked by parseFeedFilter). */
export class CreateWebhookRequest extends FeedFilterRequest {
  @ApiProperty({
    description: 'The receiver: an absolute http(s) URL on a public address (or a host WEBHOOK_ALLOWED_HOSTS lists)',
    example: 'https://hooks.example.org/stance-ledger',
  })
  @IsString({ message: 'url must be a string: an absolute http:// or https:// URL' })
  @MaxLength(MAX_URL, { message: `url must be at most ${MAX_URL} characters` })
  url: string;

  @ApiPropertyOptional({ description: 'What the watchlist is for', example: 'Southern Europe on the multinational force' })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @MaxLength(MAX_DESCRIPTION, { message: `description must be at most ${MAX_DESCRIPTION} characters` })
  description?: string;
}

export class CreatedWebhookResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() url: string;
  @ApiProperty({ nullable: true, description: 'Topics watched, comma-separated; null for every topic' }) topicId: string | null;
  @ApiProperty({ nullable: true, description: 'Countries watched, comma-separated; null for every country' }) country: string | null;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty({ example: '2026-01-09T12:00:00.000Z' }) createdAt: string;
  @ApiProperty({ description: 'The signing secret of X-Stance-Ledger-Signature: shown in this answer only' }) secret: string;
}

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Who created it: the principal of the credential' }) owner: string;
  @ApiProperty() url: string;
  @ApiProperty({ nullable: true }) topicId: string | null;
  @ApiProperty({ nullable: true }) country: string | null;
  @ApiProperty({ nullable: true }) description: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ enum: ['active', 'failing'], description: 'failing: no 2xx within the retry horizon; deliveries stopped until POST /webhooks/:id/resume' })
  state: string;
  @ApiProperty({ nullable: true }) failingSince: string | null;
  @ApiProperty({ description: 'Checkpoint: every matching change up to this log position was delivered (answered 2xx)', example: '42' }) position: string;
  @ApiProperty({ nullable: true }) lastDeliveryAt: string | null;
  @ApiProperty({ nullable: true }) lastError: string | null;
  @ApiProperty({ nullable: true, format: 'uuid', description: 'The batch being retried' }) pendingDeliveryId: string | null;
  @ApiProperty({ nullable: true }) nextAttemptAt: string | null;
}

export class WebhooksResponse {
  @ApiProperty({ type: [WebhookResponse] }) webhooks: WebhookResponse[];
}

export class DeliveryAttemptResponse {
  @ApiProperty({ format: 'uuid', description: 'X-Stance-Ledger-Delivery: the same on every retry of a batch' }) deliveryId: string;
  @ApiProperty({ description: 'Attempt number of this batch, from 1' }) attempt: number;
  @ApiProperty({ enum: ['delivered', 'failed'] }) status: string;
  @ApiProperty({ nullable: true, description: 'The receiver’s HTTP status, when it answered' }) responseCode: number | null;
  @ApiProperty({ nullable: true }) error: string | null;
  @ApiProperty({ description: 'Changes in the batch' }) changes: number;
  @ApiProperty({ description: 'The log position the batch reaches' }) throughPosition: string;
  @ApiProperty() attemptedAt: string;
  @ApiProperty({ nullable: true, description: 'When the batch is tried again; null once delivered or given up' }) nextAttemptAt: string | null;
}

export class DeliveriesResponse {
  @ApiProperty({ type: [DeliveryAttemptResponse], description: 'The last 100 attempts, newest first' }) deliveries: DeliveryAttemptResponse[];
}

/** What a receiver is POSTed: `X-Stance-Ledger-Delivery`, `-Timestamp` and `-Signature` headers name and sign it. */
export class WebhookPayload {
  @ApiProperty({ format: 'uuid' }) webhookId: string;
  @ApiProperty({ type: [FeedChangeResponse], description: 'Up to 100 changes, in log order' }) changes: FeedChangeResponse[];
}
