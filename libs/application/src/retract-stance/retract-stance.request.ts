import { ApiProperty } from '@nestjs/swagger';
import { REASON_MAX_LENGTH } from '@stance-ledger/domain';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class RetractStanceRequest {
  @ApiProperty({ description: 'Why the record is withdrawn', example: 'Misattributed: the quote is from a party spokesman, not the government' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(REASON_MAX_LENGTH)
  reason: string;
}
