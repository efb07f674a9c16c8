import { InvalidValueError } from './errors';

/** An ISO 3166-1 alpha-2 code, upper case, known to the registry. */
export type CountryCode = string & { readonly __brand: 'CountryCode' };

/** The maintained list of ISO 3166-1 codes is an outside fact, passed in rather than imported. */
export interface CountryRegistry {
  isAssigned(alpha2: string): boolean;
  nameOf(alpha2: string): string | undefined;
}

export function parseCountryCode(
  value: unknown,
  registry: CountryRegistry,
  field = 'country',
): CountryCode {
  const code = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!/^[A-Z]{2}$/.test(code) || !registry.isAssigned(code)) {
    throw new InvalidValueError(
      field,
      'isIso3166Alpha2',
      `${field} must be an assigned ISO 3166-1 alpha-2 country code, got ${JSON.stringify(value)}`,
    );
  }
  return code as CountryCode;
}
