import countries from 'i18n-iso-countries';
import english from 'i18n-iso-countries/langs/en.json';

// The package the API names countries with, so that both say the same.
countries.registerLocale(english);

export interface Country {
  code: string;
  name: string;
}

export const COUNTRIES: Country[] = Object.entries(countries.getNames('en', { select: 'official' }))
  .map(([code, name]) => ({ code, name }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en'));

export const countryName = (code: string): string => countries.getName(code, 'en', { select: 'official' }) ?? code;

/** world-atlas names its features by ISO 3166-1 numeric code. */
export const alpha2OfNumeric = (numeric: string): string | undefined => countries.numericToAlpha2(numeric);

/** What a person types in the country picker: a code, a name, or the picker's "Name (CODE)". */
export function countryOfInput(text: string): Country | undefined {
  const value = text.trim();
  const coded = /\(([A-Za-z]{2})\)$/.exec(value)?.[1] ?? (/^[A-Za-z]{2}$/.test(value) ? value : undefined);
  if (coded) return COUNTRIES.find((country) => country.code === coded.toUpperCase());
  const lower = value.toLowerCase();
  return COUNTRIES.find((country) => country.name.toLowerCase() === lower);
}
