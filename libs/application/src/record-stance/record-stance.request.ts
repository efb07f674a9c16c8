import {
  HEADLINE_MAX_LENGTH,
  QUALIFIER_MAX_LENGTH,
  STANCES,
  SUMMARY_MAX_LENGTH,
  TOPIC_ID_PATTERN,
} from '@stance-ledger/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsCalendarDate } from '../http/request-validation';
import { StanceSourceRequest } from '../http/stance-source.request';

export { StanceSourceRequest };

export class RecordStanceRequest {
  @IsString()
  @Matches(TOPIC_ID_PATTERN, { message: 'topicId must be the slug id of a defined topic' })
  topicId: string;

  @ApiProperty({ enum: STANCES, example: 'open' })
  @IsIn(STANCES, { message: `stance must be one of ${STANCES.join(', ')}` })
  stance: string;

  @ApiProperty({ example: '2026-01-06', description: 'The day the stance was expressed or took effect; not after today' })
  @IsCalendarDate()
  effectiveOn: string;

  @ApiProperty({ example: 'Spain opens door to troops' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(HEADLINE_MAX_LENGTH)
  headline: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(SUMMARY_MAX_LENGTH)
  summary?: string;

  @ApiPropertyOptional({ example: 'only in neighbouring countries' })
  @IsOptional()
  @IsString()
  @MaxLength(QUALIFIER_MAX_LENGTH)
  conditions?: string;

  @ApiPropertyOptional({ example: 'several thousand troops' })
  @IsOptional()
  @IsString()
  @MaxLength(QUALIFIER_MAX_LENGTH)
  commitment?: string;

  @ApiProperty({ type: () => StanceSourceRequest })
  @IsDefined({ message: 'source is required: at least its publisher' })
  @IsObject({ message: 'source must be an object with at least a publisher' })
  @ValidateNested()
  @Type(() => StanceSourceRequest)
  source: StanceSourceRequest;
}
