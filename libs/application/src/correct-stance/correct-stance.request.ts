import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HEADLINE_MAX_LENGTH, QUALIFIER_MAX_LENGTH, REASON_MAX_LENGTH, STANCES, SUMMARY_MAX_LENGTH } from '@stance-ledger/domain';
import { Type } from 'class-transformer';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { IsCalendarDate } from '../http/request-validation';
import { StanceSourceRequest } from '../http/stance-source.request';

export class CorrectStanceRequest {
  @ApiPropertyOptional({ enum: STANCES })
  @IsOptional()
  @IsIn(STANCES, { message: `stance must be one of ${STANCES.join(', ')}` })
  stance?: string;

  @ApiPropertyOptional({ example: '2026-01-06' })
  @IsOptional()
  @IsCalendarDate()
  effectiveOn?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(HEADLINE_MAX_LENGTH)
  headline?: string;

  @ApiPropertyOptional({ nullable: true, description: 'null clears it' })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @MaxLength(SUMMARY_MAX_LENGTH)
  summary?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'null clears it' })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @MaxLength(QUALIFIER_MAX_LENGTH)
  conditions?: string | null;

  @ApiPropertyOptional({ nullable: true, description: 'null clears it' })
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @MaxLength(QUALIFIER_MAX_LENGTH)
  commitment?: string | null;

  @ApiPropertyOptional({ type: StanceSourceRequest, description: 'Replaces the whole source' })
  @IsOptional()
  @IsObject({ message: 'source must be an object with at least a publisher' })
  @ValidateNested()
  @Type(() => StanceSourceRequest)
  source?: StanceSourceRequest;

  @ApiProperty({ description: 'Why the record is corrected', example: 'The statement was made on 7 January, not 6 January' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(REASON_MAX_LENGTH)
  reason: string;
}
