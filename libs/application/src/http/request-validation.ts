import { BadRequestException, type ValidationError } from '@nestjs/common';
import { isCalendarDate } from '@stance-ledger/domain';
import { Transform } from 'class-transformer';
import { registerDecorator, type ValidationOptions } from 'class-validator';

export interface FieldProblem {
  field: string;
  rule: string;
  message: string;
}

/** 400 with one entry per broken rule, each naming its field: the body every client can rely on. */
export class RequestValidationException extends BadRequestException {
  constructor(readonly problems: FieldProblem[]) {
    super({
      statusCode: 400,
      error: 'Bad Request',
      code: 'validation_failed',
      message: problems.map((problem) => problem.message).join('; '),
      errors: problems,
    });
  }
}

const RULE_NAMES: Record<string, string> = { whitelistValidation: 'unknownField' };

function problemsOf(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: RULE_NAMES[rule] ?? rule,
      message: rule === 'whitelistValidation' ? `${field} is not a known field` : message.replace(error.property, field),
    }));
    return [...own, ...problemsOf(error.children ?? [], field)];
  });
}

export function validationExceptionFactory(errors: ValidationError[]): RequestValidationException {
  return new RequestValidationException(problemsOf(errors));
}

/** `YYYY-MM-DD` naming a day that exists. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a calendar date written YYYY-MM-DD', ...options },
      validator: { validate: (value: unknown) => isCalendarDate(value) },
    });
}

/** The one syntax of a number in a query: decimal digits, no sign, exponent, radix prefix, space or leading zero. */
const PLAIN_DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * A query integer from `min` to `max`, written in plain decimal: `1e3`, `0x10`, `+5`, ` 5` and
 * `05`, which Number() would all read, are refused. Converted to a number only when so written.
 */
export function IsDecimalInteger(min: number, max: number, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    Transform(({ value }) => (typeof value === 'string' && PLAIN_DECIMAL.test(value) && value.length <= 16 ? Number(value) : value))(target, propertyName);
    registerDecorator({
      name: 'isDecimalInteger',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [min, max],
      options: { message: `$property must be an integer from ${min} to ${max} in plain decimal digits`, ...options },
      validator: { validate: (value: unknown) => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max },
    });
  };
}

/**
 * A log position on the wire: a non-negative integer in plain decimal (no sign, exponent or
 * leading zero) below 2^128, since an EventStoreDB position packs two 64-bit offsets.
 */
export const isLogPositionText = (value: unknown): value is string =>
  typeof value === 'string' && PLAIN_DECIMAL.test(value) && value.length <= 39 && BigInt(value) < 2n ** 128n;

/** A log position, as `isLogPositionText` says. */
export function IsLogPosition(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isLogPosition',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a log position: a non-negative integer in plain decimal digits, without a leading zero', ...options },
      validator: {
        validate: isLogPositionText,
      },
    });
}

/** An ISO 8601 instant: date, time and a zone (Z or ±hh:mm), naming a real moment. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be an ISO 8601 instant with a time zone, e.g. 2026-01-07T12:00:00Z', ...options },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
          isCalendarDate(value.slice(0, 10)) &&
          !Number.isNaN(Date.parse(value)),
      },
    });
}

/** This calendar date is not after the one in `other` (when both are present). */
export function IsNotAfter(other: string, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notAfter',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [other],
      options: { message: `$property must not be after ${other}`, ...options },
      validator: {
        validate: (value: unknown, args) => {
          const bound = (args?.object as Record<string, unknown>)[other];
          return typeof value !== 'string' || typeof bound !== 'string' || value <= bound;
        },
      },
    });
}
