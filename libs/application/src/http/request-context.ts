import { type CommandContext, commandContext } from '../shared/command-context';
import type { Principal } from './principal';
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
 * Provenance of a command: who recorded it is the authenticated caller, never what the client
 * says. An `X-Recorded-By` header (how clients named the author before credentials) is ignored.
 */
export function commandContextOf(headers: Record<string, string | string[] | undefined>, caller: Principal): CommandContext {
  return commandContext({
    idempotencyKey: header(headers, 'Idempotency-Key', 'isIdempotencyKey'),
    recordedBy: caller.principal,
    correlationId: header(headers, 'X-Correlation-Id', 'isPrintable'),
  });
}
