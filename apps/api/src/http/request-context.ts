import { type CommandContext, commandContext } from '@stance-ledger/application';
import { RequestValidationException } from './request-validation';

const HEADER_VALUE = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

function header(headers: Record<string, string | string[] | undefined>, name: string, rule: string): string | undefined {
  const raw = headers[name.toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  if (!HEADER_VALUE.test(value)) {
    throw new RequestValidationException([
      { field: name, rule, message: `${name} header must be 1 to 200 printable ASCII characters` },
    ]);
  }
  return value;
}

/**
 * Provenance of a command from its request. `X-Recorded-By` names the author until
 * authentication arrives; then it will come from the authenticated principal instead.
 */
export function commandContextFromHeaders(headers: Record<string, string | string[] | undefined>): CommandContext {
  return commandContext({
    idempotencyKey: header(headers, 'Idempotency-Key', 'isIdempotencyKey'),
    recordedBy: header(headers, 'X-Recorded-By', 'isPrintable'),
    correlationId: header(headers, 'X-Correlation-Id', 'isPrintable'),
  });
}
