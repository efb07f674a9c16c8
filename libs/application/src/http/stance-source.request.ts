import { SOURCE_PUBLISHER_MAX_LENGTH, SOURCE_SPEAKER_MAX_LENGTH, SOURCE_TITLE_MAX_LENGTH, QUOTE_MAX_LENGTH } from '@stance-ledger/domain';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IsCalendarDate } from './request-validation';

export class StanceSourceRequest {
  @ApiProperty({ example: 'AFP' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(SOURCE_PUBLISHER_MAX_LENGTH)
  publisher: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(SOURCE_TITLE_MAX_LENGTH)
  title?: string;

  @ApiPropertyOptional({ example: 'https://example.org/report' })
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\/\S+$/, { message: 'source.url must be an http(s) URL' })
  url?: string;

  @ApiPropertyOptional({ example: '2026-01-06' })
  @IsOptional()
  @IsCalendarDate()
  publishedOn?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(QUOTE_MAX_LENGTH)
  quote?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(SOURCE_SPEAKER_MAX_LENGTH)
  speaker?: string;
}
