import { InvalidValueError } from './errors';

/** A calendar day, `YYYY-MM-DD`, with no time zone: the valid-time axis of the ledger. */
export type CalendarDate = string & { readonly __brand: 'CalendarDate' };

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  // Round-tripping rejects impossible days such as 2026-02-30.
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

export function parseCalendarDate(value: unknown, field: string): CalendarDate {
  if (!isCalendarDate(value)) {
    throw new InvalidValueError(
      field,
      'isCalendarDate',
      `${field} must be a calendar date written YYYY-MM-DD`,
    );
  }
  return value;
}

/** The calendar day of an instant, in UTC: the ledger's single reference for "today". */
export function calendarDateOf(instant: Date): CalendarDate {
  return instant.toISOString().slice(0, 10) as CalendarDate;
}
