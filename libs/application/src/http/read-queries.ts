import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { TOPIC_ID_PATTERN } from '@stance-ledger/domain';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { IsCalendarDate, IsInstant, IsLogPosition, IsNotAfter } from './request-validation';

/** Query parameters every read accepts. */
export class ReadQuery {
  @ApiPropertyOptional({ description: 'Wait (a few seconds at most) until the read models reflect at least this log position; 503 past the wait.', example: '42' })
  @IsOptional()
  @IsLogPosition()
  minPosition?: string;

  @ApiPropertyOptional({ description: 'Answer from a named snapshot of the read models (npm run cli -- replay --snapshot NAME --until-…)', example: 'report_2026_01_07' })
  @IsOptional()
  @Matches(/^[a-z0-9_]{1,40}$/, { message: 'snapshot must be a snapshot name: 1 to 40 lower-case letters, digits or _' })
  snapshot?: string;

  minPositionValue(): bigint | undefined {
    return this.minPosition === undefined ? undefined : BigInt(this.minPosition);
  }
}

/** Transaction time: the answer as the system knew it at that instant. */
export class KnownAtQuery extends ReadQuery {
  @ApiPropertyOptional({ description: 'ISO 8601 instant (with Z or an offset); default now. Later than now means now.', example: '2026-01-07T12:00:00Z' })
  @IsOptional()
  @IsInstant()
  knownAt?: string;
}

/** Valid time and transaction time: the stance on a day, as known at an instant. */
export class AsOfQuery extends KnownAtQuery {
  @ApiPropertyOptional({ description: 'The day the answer is about (YYYY-MM-DD); default today (UTC).', example: '2026-01-07' })
  @IsOptional()
  @IsCalendarDate()
  on?: string;
}

export class TimelineQuery extends KnownAtQuery {
  @ApiProperty({ description: 'The topic of the timeline', example: 'ukraine-multinational-force' })
  @Matches(TOPIC_ID_PATTERN, { message: 'topicId must be the slug id of a topic' })
  topicId: string;

  @ApiPropertyOptional({ description: 'First effective day included (YYYY-MM-DD)' })
  @IsOptional()
  @IsCalendarDate()
  @IsNotAfter('to')
  from?: string;

  @ApiPropertyOptional({ description: 'Last effective day included (YYYY-MM-DD)' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({ description: 'Include retracted records, marked retracted', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'includeRetracted must be true or false' })
  includeRetracted?: string;
}

export class ShiftsQuery extends KnownAtQuery {
  @ApiProperty({ description: 'The earlier day (YYYY-MM-DD)', example: '2026-01-01' })
  @IsCalendarDate()
  @IsNotAfter('to')
  from: string;

  @ApiProperty({ description: 'The later day (YYYY-MM-DD)', example: '2026-01-10' })
  @IsCalendarDate()
  to: string;
}
