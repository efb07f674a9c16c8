import { Query } from '@nestjs/cqrs';
import type { CalendarDate, CountryCode } from '@stance-ledger/domain';
import type { AtPosition, StanceInForce } from '@stance-ledger/read-models';

export class GetCountryStancesQuery extends Query<AtPosition<StanceInForce[]>> {
  constructor(
    readonly country: CountryCode,
    readonly on: CalendarDate,
    readonly topicId: string | undefined,
    readonly minPosition: bigint | undefined,
  ) {
    super();
  }
}
