import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsLogPosition } from '../http/request-validation';

/** Which changes: GET /feed's filters, and a webhook's. Each value of the lists is checked by parseFeedFilter. */
export class FeedFilterRequest {
  @ApiPropertyOptional({ description: 'Only changes on these topics: one id or several, comma-separated', example: 'ukraine-multinational-force' })
  @IsOptional()
  @IsString({ message: 'topicId must be a topic id or a comma-separated list of them' })
  @MaxLength(10_000, { message: 'topicId must be at most 10000 characters' })
  topicId?: string;

  @ApiPropertyOptional({ description: 'Only changes of these countries: ISO 3166-1 alpha-2 codes, comma-separated', example: 'ES,IT' })
  @IsOptional()
  @IsString({ message: 'country must be a country code or a comma-separated list of them' })
  @MaxLength(1000, { message: 'country must be at most 1000 characters' })
  country?: string;
}

/** GET /feed's query: which changes, and from where. */
export class FollowFeedRequest extends FeedFilterRequest {
  @ApiPropertyOptional({
    description: 'Resume: first every matching change after this log position (an id the feed sent), then live ones. Last-Event-ID, when sent, takes precedence.',
    example: '42',
  })
  @IsOptional()
  @IsLogPosition()
  after?: string;
}

/** The data of one `stance` event of the feed (and of a webhook delivery's changes). */
export class FeedChangeResponse {
  @ApiProperty({ description: 'Log position of the event: also the SSE id', example: '42' }) position: string;
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty({ enum: ['recorded', 'corrected', 'retracted'] }) kind: string;
  @ApiProperty({ format: 'uuid', description: 'The stance record concerned: the event id of its StanceRecorded' }) recordId: string;
  @ApiProperty({ example: 'ES' }) country: string;
  @ApiProperty({ example: 'ukraine-multinational-force' }) topicId: string;
  @ApiProperty({ example: '2026-01-06' }) effectiveOn: string;
  @ApiProperty({ nullable: true, enum: ['opposes', 'skeptical', 'undecided', 'open', 'supports'], description: 'What the record says after the event; null once retracted' })
  stance: string | null;
  @ApiProperty({ nullable: true, enum: ['opposes', 'skeptical', 'undecided', 'open', 'supports'], description: 'What the record said before a correction or retraction; null for a new record' })
  previousStance: string | null;
  @ApiProperty() headline: string;
  @ApiProperty({ nullable: true, description: 'Why, for corrections and retractions' }) reason: string | null;
  @ApiProperty({ example: '2026-01-06T18:00:00.000Z' }) recordedAt: string;
  @ApiProperty() recordedBy: string;
}
