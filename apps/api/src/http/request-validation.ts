import { BadRequestException, type ValidationError } from '@nestjs/common';
import { isCalendarDate } from '@stance-ledger/domain';
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

/** A log position: a non-negative integer written in decimal, as every position on the wire is. */
export function IsLogPosition(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isLogPosition',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a log position: a non-negative integer in decimal', ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && /^\d{1,39}$/.test(value) && BigInt(value) < 2n ** 128n,
      },
    });
}
