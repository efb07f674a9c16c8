import type { CountryRegistry } from '@stance-ledger/domain';
import countries from 'i18n-iso-countries';
import english from 'i18n-iso-countries/langs/en.json';

countries.registerLocale(english);

/** ISO 3166-1 from the maintained i18n-iso-countries package, English names. */
export class IsoCountryRegistry implements CountryRegistry {
  isAssigned(alpha2: string): boolean {
    return countries.isValid(alpha2) && countries.toAlpha2(alpha2) === alpha2;
  }

  nameOf(alpha2: string): string | undefined {
    return countries.getName(alpha2, 'en') ?? undefined;
  }
}
