import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { CountryRegistry } from '@stance-ledger/domain';
import type { StanceView } from '@stance-ledger/read-models';
import { type Answer, ofKnownTopic, shaped, type Shifts, stanceBody } from '../answers/answer';
import { AnswerCache } from '../answers/answer-cache';
import { COUNTRY_REGISTRY } from '../shared/tokens';
import { GetShiftsQuery } from './get-shifts.query';

@QueryHandler(GetShiftsQuery)
export class GetShiftsHandler implements IQueryHandler<GetShiftsQuery> {
  constructor(
    private readonly answers: AnswerCache,
    @Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry,
  ) {}

  execute({ topicId, options }: GetShiftsQuery): Promise<Answer<Shifts>> {
    const body = (stance: StanceView | null) => (stance ? stanceBody(stance) : null);
    return this.answers.answer(`shifts ${topicId} ${options.from} ${options.to}`, options, async (queries) =>
      shaped(ofKnownTopic(topicId, await queries.shifts(topicId, options)), (shifts) => ({
        shifts: shifts.map((shift) => ({
          country: shift.country,
          countryName: this.countries.nameOf(shift.country),
          from: body(shift.from),
          to: body(shift.to),
          direction: shift.direction,
          events: shift.events.map(stanceBody),
        })),
      })),
    );
  }
}
