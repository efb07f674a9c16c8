import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { ValidationArguments } from 'class-validator';

interface Rule {
  validate(value: unknown, args: ValidationArguments): unknown;
  constraints: unknown[];
}

interface PropertyRules {
  name: string;
  /** IsOptional, ValidateIf: when one is false, the property's other rules do not apply. */
  conditions: ((object: object, value: unknown) => boolean)[];
  rules: Rule[];
  nested: boolean;
}

/** Every rule of a class as class-validator keeps them; null when one is of a kind this does not follow. */
type ClassRules = { known: Set<string>; properties: PropertyRules[] } | null;

const gathered = new Map<unknown, ClassRules>();

const FOLLOWED = new Set<string>([ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.IS_DEFINED, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.NESTED_VALIDATION, ValidationTypes.WHITELIST]);

function gather(target: unknown): ClassRules {
  const storage = getMetadataStorage();
  // As class-validator's executor asks for them: no groups, no `always`.
  const metadatas = storage.getTargetValidationMetadatas(target as never, undefined as never, false, false, undefined);
  if (metadatas.length === 0) return null;
  const byName = new Map<string, PropertyRules>();
  for (const metadata of metadatas) {
    if (!FOLLOWED.has(metadata.type) || metadata.each || metadata.always !== undefined || (metadata.groups?.length ?? 0) > 0) return null;
    const property = byName.get(metadata.propertyName) ?? { name: metadata.propertyName, conditions: [], rules: [], nested: false };
    byName.set(metadata.propertyName, property);
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      property.conditions.push(metadata.constraints[0] as PropertyRules['conditions'][number]);
    } else if (metadata.type === ValidationTypes.NESTED_VALIDATION) {
      property.nested = true;
    } else if (metadata.type !== ValidationTypes.WHITELIST) {
      for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
        if (constraint.async) return null;
        property.rules.push({ validate: (value, args) => constraint.instance.validate(value, args), constraints: metadata.constraints });
      }
    }
  }
  return { known: new Set(byName.keys()), properties: [...byName.values()] };
}

function rulesOf(target: unknown): ClassRules {
  if (!gathered.has(target)) gathered.set(target, gather(target));
  return gathered.get(target) ?? null;
}

/**
 * Whether class-validator, with `whitelist` and `forbidNonWhitelisted`, would find nothing wrong
 * with `object` (an instance class-transformer built), decided from each class's rules gathered
 * once: class-validator looks them up again among every class's on each call, which was most of
 * the cost of validating a command's body. It runs the same rule functions in the same order of
 * conditions. False means "not sure": a broken rule, an unknown field, a rule of a kind it does
 * not follow, a rule answering anything but true. The caller then asks class-validator, whose
 * answer names the field and the rule. A spec holds that true is only ever said of what
 * class-validator accepts.
 */
export function passesEveryRule(object: object): boolean {
  const rules = rulesOf(object.constructor);
  if (rules === null) return false;
  for (const key of Object.keys(object)) if (!rules.known.has(key)) return false;
  const fields = object as Record<string, unknown>;
  for (const { name, conditions, rules: own, nested } of rules.properties) {
    const value = fields[name];
    if (!conditions.every((condition) => condition(object, value))) continue;
    for (const rule of own) {
      const args: ValidationArguments = { targetName: object.constructor?.name, property: name, object, value, constraints: rule.constraints };
      if (rule.validate(value, args) !== true) return false;
    }
    if (nested && value !== undefined) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Set || value instanceof Map) return false;
      if (!passesEveryRule(value)) return false;
    }
  }
  return true;
}
