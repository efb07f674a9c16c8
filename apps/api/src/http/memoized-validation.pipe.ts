import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import type { ValidationError, ValidatorOptions } from 'class-validator';
import { passesEveryRule } from './gathered-rules';
import { validationExceptionFactory } from '@stance-ledger/application';

/** Accepted queries kept per DTO class; the oldest goes first. */
const MAX_KEPT_PER_CLASS = 1000;

/**
 * The ValidationPipe, remembering the query strings it has accepted. Building and validating a
 * query DTO (class-transformer, then class-validator) costs several times what copying a kept
 * instance does, a share that counts on an answer served from the answer cache. Both are pure
 * functions of the query's fields and the DTO class (no rule reads the clock or the database),
 * so an identical query gets a copy of the instance built the first time. Bodies, path parameters and refused queries go through the
 * whole pipe every time, their rules checked as gathered once per class (passesEveryRule).
 */
export class MemoizedValidationPipe extends ValidationPipe {
  private readonly accepted = new Map<object, Map<string, Record<string, unknown>>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype } = metadata;
    if (metadata.type !== 'query' || !metatype || !this.toValidate(metadata) || value === null || typeof value !== 'object') {
      return super.transform(value, metadata);
    }
    const key = JSON.stringify(value);
    const kept = this.accepted.get(metatype) ?? new Map<string, Record<string, unknown>>();
    const fields = kept.get(key);
    // A fresh instance each time: a handler changing its query must not change the next one's.
    if (fields) return Object.assign(Object.create(metatype.prototype as object) as object, fields);
    const instance = (await super.transform(value, metadata)) as Record<string, unknown>;
    kept.set(key, { ...instance });
    if (kept.size > MAX_KEPT_PER_CLASS) kept.delete(kept.keys().next().value as string);
    this.accepted.set(metatype, kept);
    return instance;
  }

  /** What passes every rule needs no search of class-validator's metadata (see passesEveryRule); the rest gets its errors from class-validator. */
  protected override validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> | ValidationError[] {
    if (passesEveryRule(object)) return [];
    return super.validate(object, validatorOptions);
  }
}

/** The pipe every request goes through, as the API installs it: unknown fields are refused, and a refusal names each field and rule. */
export function requestValidationPipe(): MemoizedValidationPipe {
  return new MemoizedValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: validationExceptionFactory });
}
