import { HEADLINE_MAX_LENGTH, QUALIFIER_MAX_LENGTH, STANCES, SUMMARY_MAX_LENGTH, TOPIC_ID_PATTERN } from '@stance-ledger/domain';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { IsCalendarDate } from '../http/request-validation';

export class StanceSourceRequest {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  publisher: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  title?: string;

  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: 'source.url must be an http(s) URL' })
  url?: string;

  @IsOptional()
  @IsCalendarDate()
  publishedOn?: string;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  quote?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  speaker?: string;
}

export class RecordStanceRequest {
  @IsString()
  @Matches(TOPIC_ID_PATTERN, { message: 'topicId must be the slug id of a defined topic' })
  topicId: string;

  @IsIn(STANCES, { message: `stance must be one of ${STANCES.join(', ')}` })
  stance: string;

  @IsCalendarDate()
  effectiveOn: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(HEADLINE_MAX_LENGTH)
  headline: string;

  @IsOptional()
  @IsString()
  @MaxLength(SUMMARY_MAX_LENGTH)
  summary?: string;

  @IsOptional()
  @IsString()
  @MaxLength(QUALIFIER_MAX_LENGTH)
  conditions?: string;

  @IsOptional()
  @IsString()
  @MaxLength(QUALIFIER_MAX_LENGTH)
  commitment?: string;

  @IsDefined({ message: 'source is required: at least its publisher' })
  @IsObject({ message: 'source must be an object with at least a publisher' })
  @ValidateNested()
  @Type(() => StanceSourceRequest)
  source: StanceSourceRequest;
}
