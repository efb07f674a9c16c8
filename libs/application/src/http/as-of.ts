import { calendarDateOf, type CalendarDate } from '@stance-ledger/domain';
import type { Clock } from '../shared/tokens';
import type { AsOfQuery, KnownAtQuery } from './read-queries';

/** The transaction time of an answer: as asked, but never later than now, which is all there is to know. */
export function knownAtOf(query: KnownAtQuery, clock: Clock): Date {
  const now = clock.now();
  if (query.knownAt === undefined) return now;
  const asked = new Date(query.knownAt);
  return asked > now ? now : asked;
}

export function asOfOf(query: AsOfQuery, clock: Clock): { on: CalendarDate; knownAt: Date; minPosition?: bigint; snapshot?: string } {
  return {
    on: (query.on as CalendarDate | undefined) ?? calendarDateOf(clock.now()),
    knownAt: knownAtOf(query, clock),
    minPosition: query.minPositionValue(),
    snapshot: query.snapshot,
  };
}
