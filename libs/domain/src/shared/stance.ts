import { InvalidValueError } from './errors';

/** The ordinal scale of positions, from firm opposition to firm support. */
export const STANCE_SCORES = {
  opposes: -2,
  skeptical: -1,
  undecided: 0,
  open: 1,
  supports: 2,
} as const;

export type Stance = keyof typeof STANCE_SCORES;

export const STANCES = Object.keys(STANCE_SCORES) as Stance[];

export function isStance(value: unknown): value is Stance {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(STANCE_SCORES, value);
}

export function parseStance(value: unknown, field = 'stance'): Stance {
  if (!isStance(value)) {
    throw new InvalidValueError(
      field,
      'isStance',
      `${field} must be one of ${STANCES.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export function scoreOf(stance: Stance): number {
  return STANCE_SCORES[stance];
}
