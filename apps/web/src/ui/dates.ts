/** Calendar days (YYYY-MM-DD) as UTC midnights, so that no time zone moves a day. */
const DAY_MS = 86_400_000;

export const isCalendarDate = (text: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
export const dayNumber = (day: string): number => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
export const dayOfNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);
export const addDays = (day: string, days: number): string => dayOfNumber(dayNumber(day) + days);
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

/** "As known at" is edited as a UTC date and time (datetime-local has no zone: the label says UTC). */
export const instantToInput = (iso: string): string => iso.slice(0, 16);
export const inputToInstant = (local: string): string | undefined => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) ? `${local}:00Z` : undefined);

export const formatInstant = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
