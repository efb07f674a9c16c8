export { EVENT_STORE } from '@stance-ledger/event-store';

/** Injection tokens for the outside facts commands depend on. */
export const CLOCK = Symbol('Clock');
export const COUNTRY_REGISTRY = Symbol('CountryRegistry');

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
