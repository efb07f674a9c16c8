import { ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_PAGE } from '@stance-ledger/audit';
import { IsOptional } from 'class-validator';
import { IsDecimalInteger, IsLogPosition } from '../http/request-validation';

/** The page of `GET /audit/streams/:stream`. */
export class StreamQuery {
  @ApiPropertyOptional({ description: 'First revision of the page', default: 0 })
  @IsOptional()
  @IsLogPosition({ message: 'fromRevision must be a non-negative integer in plain decimal digits, without a leading zero' })
  fromRevision?: string;

  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @IsDecimalInteger(1, MAX_PAGE)
  limit?: number;
}
