/**
 * The analysts' questions with random parameters, as analysts ask them: a random member state and
 * topic, a random day of a day mix and a random past `knownAt`, a fresh one per request, so that
 * the answer cache cannot serve it (an answer as known before the latest recording is never kept)
 * and every request pays for its SQL. Deterministic: the same seed gives the same sequence, in the
 * bench process (autocannon's setupRequest, the raw SQL) and in the paced-load child alike.
 */
import prand from 'pure-rand';
import { memberStates } from './generator';

export const QUESTIONS = ['one country × one topic on a day', "a country's stances on a day", 'topic matrix on a day', 'country timeline on a topic', 'shifts between two days'] as const;
export type Question = (typeof QUESTIONS)[number];

/** The days and instants of a history the parameters are drawn from. */
export interface HistoryBounds {
  /** First and last effective day (YYYY-MM-DD). */
  firstDay: string;
  lastDay: string;
  /** First and last recording instant (ISO). */
  firstRecorded: string;
  lastRecorded: string;
}

export type DayMix = 'uniform' | 'last tenth';

export interface RandomSpec {
  question: Question;
  mix: DayMix;
  bounds: HistoryBounds;
  seed: number;
}

/** The parameters of one question. */
export interface Drawn {
  country: string;
  topicId: string;
  /** The day (for shifts, the later one; for the timeline, the last day it shows). */
  on: string;
  /** The earlier day of shifts. */
  from: string;
  knownAt: string;
}

const DAY = 86_400_000;
const TOPICS = 200;

/** A function drawing the parameters of one request after another. */
export function drawer({ mix, bounds, seed }: Omit<RandomSpec, 'question'>): () => Drawn {
  const rng = prand.xoroshiro128plus(seed);
  const int = (min: number, max: number) => prand.unsafeUniformIntDistribution(min, max, rng);
  const states = memberStates();
  const first = Date.parse(`${bounds.firstDay}T00:00:00Z`);
  const days = Math.round((Date.parse(`${bounds.lastDay}T00:00:00Z`) - first) / DAY);
  const lowest = mix === 'uniform' ? 0 : Math.max(0, days - Math.floor(days / 10));
  const recordedFrom = Date.parse(bounds.firstRecorded);
  // A past instant: strictly before the latest recording, so that no answer is kept for it.
  const recordedSpan = Math.max(1, Date.parse(bounds.lastRecorded) - recordedFrom - 1000);
  const day = (n: number) => new Date(first + n * DAY).toISOString().slice(0, 10);
  return () => {
    const a = int(lowest, days);
    const b = int(lowest, days);
    return {
      country: states[int(0, states.length - 1)],
      topicId: `topic-${String(int(0, TOPICS - 1)).padStart(3, '0')}`,
      on: day(Math.max(a, b)),
      from: day(Math.min(a, b)),
      // Whole seconds, drawn as an int (the distribution's range is 32 bits).
      knownAt: new Date(recordedFrom + int(0, Math.floor(recordedSpan / 1000)) * 1000).toISOString(),
    };
  };
}

/** The API path that asks `question` with `drawn`. */
export function pathOf(question: Question, { country, topicId, on, from, knownAt }: Drawn): string {
  switch (question) {
    case 'one country × one topic on a day':
      return `/countries/${country}/stances/${topicId}?on=${on}&knownAt=${knownAt}`;
    case "a country's stances on a day":
      return `/countries/${country}/stances?on=${on}&knownAt=${knownAt}`;
    case 'topic matrix on a day':
      return `/topics/${topicId}/stances?on=${on}&knownAt=${knownAt}`;
    case 'country timeline on a topic':
      return `/countries/${country}/timeline?topicId=${topicId}&to=${on}&knownAt=${knownAt}`;
    case 'shifts between two days':
      return `/topics/${topicId}/shifts?from=${from}&to=${on}&knownAt=${knownAt}`;
  }
}

/** A function giving one fresh path after another. */
export function randomPaths(spec: RandomSpec): () => string {
  const draw = drawer(spec);
  return () => pathOf(spec.question, draw());
}
