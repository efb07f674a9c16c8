import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { COUNTRY_REGISTRY } from '../shared/tokens';
import { type CountryCode, type CountryRegistry, parseCountryCode } from '@stance-ledger/domain';

/** `:code` path parameter: an assigned ISO 3166-1 alpha-2 code, any case, returned upper-case. */
@Injectable()
export class CountryCodePipe implements PipeTransform<string, CountryCode> {
  constructor(@Inject(COUNTRY_REGISTRY) private readonly countries: CountryRegistry) {}

  transform(value: string): CountryCode {
    return parseCountryCode(value, this.countries, 'code');
  }
}
