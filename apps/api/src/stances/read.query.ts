import { IsOptional } from 'class-validator';
import { IsCalendarDate, IsLogPosition } from '../http/request-validation';

/** Query parameters every read accepts. */
export class ReadQuery {
  /** Wait until the read models reflect at least this log position (read your own writes). */
  @IsOptional()
  @IsLogPosition()
  minPosition?: string;

  minPositionValue(): bigint | undefined {
    return this.minPosition === undefined ? undefined : BigInt(this.minPosition);
  }
}

export class AsOfQuery extends ReadQuery {
  /** The day the answer is about; today when absent. */
  @IsOptional()
  @IsCalendarDate()
  on?: string;
}
