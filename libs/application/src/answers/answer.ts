import type { Stance } from '@stance-ledger/domain';
import type { AtPosition, StanceView, TimelineEntry } from '@stance-ledger/read-models';
import { TopicNotFoundError } from '../shared/errors';

/**
 * An answer: the log position the read models stood at, and the value read there. A kept answer
 * is sent again and again, so its JSON is encoded once, when first asked for.
 */
export class Answer<T extends object> {
  private encoded?: Buffer;

  constructor(
    readonly position: bigint,
    readonly value: T,
  ) {}

  /** `value` as UTF-8 JSON. */
  get json(): Buffer {
    this.encoded ??= Buffer.from(JSON.stringify(this.value));
    return this.encoded;
  }
}

/** A stance without the country it belongs to, which the answer states once. */
export type StanceBody = Omit<StanceView, 'country'>;

export function stanceBody<View extends StanceView>({ country: _country, ...view }: View): Omit<View, 'country'> {
  return view;
}

export interface CountryStances {
  stances: StanceBody[];
}

export interface MatrixRow extends StanceBody {
  country: string;
  countryName: string | undefined;
}

export interface TopicMatrix {
  countries: MatrixRow[];
  counts: Record<Stance, number>;
}

export interface TimelineItem extends Omit<TimelineEntry, 'country'> {
  quote: string | null;
}

export interface Timeline {
  entries: TimelineItem[];
}

export interface ShiftItem {
  country: string;
  countryName: string | undefined;
  from: StanceBody | null;
  to: StanceBody | null;
  direction: string;
  events: StanceBody[];
}

export interface Shifts {
  shifts: ShiftItem[];
}

/** The answer, unless its topic does not exist in the read models it was read from. */
export function ofKnownTopic<T>(topicId: string | undefined, answer: AtPosition<T>): AtPosition<T> {
  if (topicId !== undefined && answer.topicFound === false) throw new TopicNotFoundError(topicId);
  return { position: answer.position, value: answer.value };
}

export function shaped<T, U>({ position, value }: AtPosition<T>, shape: (value: T) => U): AtPosition<U> {
  return { position, value: shape(value) };
}
