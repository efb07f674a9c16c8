import { ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_PAGE } from '@stance-ledger/audit';
import { IsOptional, IsString, MinLength } from 'class-validator';
import { IsDecimalInteger, IsInstant, IsLogPosition, IsNotAfter } from '../http/request-validation';

/** The filters of `GET /audit/events`. */

export class HistoryQuery {
  @ApiPropertyOptional({ description: 'Events strictly after this log position (exclusive); from the start when absent' })
  @IsOptional()
  @IsLogPosition()
  afterPosition?: string;

  @ApiPropertyOptional({ description: `Events per page, at most ${MAX_PAGE}`, default: 100 })
  @IsOptional()
  @IsDecimalInteger(1, MAX_PAGE)
  limit?: number;

  @ApiPropertyOptional({ example: 'country-ES' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  stream?: string;

  @ApiPropertyOptional({ example: 'StanceRecorded' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  type?: string;

  @ApiPropertyOptional({ description: 'Recorded at or after this instant' })
  @IsOptional()
  @IsInstant()
  @IsNotAfter('recordedTo')
  recordedFrom?: string;

  @ApiPropertyOptional({ description: 'Recorded at or before this instant' })
  @IsOptional()
  @IsInstant()
  recordedTo?: string;
}
