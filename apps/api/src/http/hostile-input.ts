import { type FieldProblem, RequestValidationException } from '@stance-ledger/application';

/**
 * How deep a JSON body may nest (objects and arrays). Ours nest 2 levels (a stance and its
 * source); the limit leaves room and stays far from what recursive code downstream could overflow.
 */
export const MAX_JSON_DEPTH = 16;

/** Keys that name, or lead to, an object's prototype in JavaScript: refused in bodies and queries. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Problems kept per refusal: enough to name what is wrong, not a report the size of the input. */
const MAX_PROBLEMS = 20;

/** C0 controls except TAB, LF and CR; DEL; C1 controls. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/**
 * What must be in a JSON text for any string or key of it to break a rule: an escape that can
 * write a control or a surrogate (`\u`, `\b`, `\f`), a raw DEL or C1 control, or a forbidden key.
 * Raw C0 controls are already invalid JSON inside strings, and decoded UTF-8 holds no lone
 * surrogate. A text without any of these is accepted without walking the parsed value.
 */
const SUSPECT_JSON = /\\[ubf]|[\u007F-\u009F]|__proto__|constructor|prototype/;

/** What must be in a URL for a decoded path parameter, query key or value to break a rule. */
const SUSPECT_URL = /%|[^\x21-\x7E]|__proto__|constructor|prototype/;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** A name as it can be shown in a message: controls and lone surrogates written as \u escapes. */
export function printable(name: string): string {
  return name.replace(/[\u0000-\u001F\u007F-\u009F\uD800-\uDFFF]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Why a text value is refused, or undefined when it is acceptable text. */
export function textProblem(field: string, value: string): FieldProblem | undefined {
  const control = CONTROL.exec(value);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return {
      field,
      rule: 'noControlCharacters',
      message: `${field} must not contain control characters (U+${code} at index ${control.index}); only TAB, LF and CR are allowed`,
    };
  }
  if (!isWellFormed(value)) {
    return { field, rule: 'wellFormedUnicode', message: `${field} must be well-formed Unicode: it holds a lone surrogate` };
  }
  return undefined;
}

function keyProblem(field: string, key: string): FieldProblem | undefined {
  if (FORBIDDEN_KEYS.has(key)) return { field, rule: 'forbiddenKey', message: `${field}: the key ${key} is not accepted` };
  return textProblem(field, key);
}

function problem(field: string, rule: string, message: string): RequestValidationException {
  return new RequestValidationException([{ field, rule, message }]);
}

/** How deep `text` nests, counting brackets outside strings; stops counting past `limit`. */
function depthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      if (++depth > limit) return true;
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** Fewer opening brackets than the limit cannot nest deeper than it; counted natively. */
function fewBrackets(text: string, limit: number): boolean {
  let count = 0;
  for (const bracket of ['{', '[']) {
    for (let at = text.indexOf(bracket); at !== -1; at = text.indexOf(bracket, at + 1)) if (++count > limit) return false;
  }
  return true;
}

function walk(value: unknown, path: string, problems: FieldProblem[]): void {
  if (problems.length >= MAX_PROBLEMS) return;
  if (typeof value === 'string') {
    const found = textProblem(path || 'body', value);
    if (found) problems.push(found);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => walk(item, `${path}[${index}]`, problems));
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const field = path ? `${path}.${printable(key)}` : printable(key);
      const found = keyProblem(field, key);
      if (found) problems.push(found);
      else walk((value as Record<string, unknown>)[key], field, problems);
    }
  }
}

/**
 * A JSON request body, or a 400 naming the field and the rule: UTF-8 strictly (invalid bytes are
 * refused, never replaced by U+FFFD), nesting at most MAX_JSON_DEPTH (checked before parsing),
 * an object at the top, no prototype keys, and text without controls or lone surrogates.
 */
export function parseJsonBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) throw problem('body', 'isJson', 'the body is empty: send a JSON object');
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw problem('body', 'isUtf8', 'the body is not valid UTF-8');
  }
  if (!fewBrackets(text, MAX_JSON_DEPTH) && depthExceeds(text, MAX_JSON_DEPTH)) {
    throw problem('body', 'maxDepth', `the body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw problem('body', 'isJson', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw problem('body', 'isObject', 'the body must be a JSON object');
  }
  if (SUSPECT_JSON.test(text)) {
    const problems: FieldProblem[] = [];
    walk(value, '', problems);
    if (problems.length > 0) throw new RequestValidationException(problems);
  }
  return value as Record<string, unknown>;
}

function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.includes('+') ? raw.replace(/\+/g, ' ') : raw);
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with a request's path parameters (as the router decoded them) and its query
 * string (decoded here, strictly: bad percent-encoding or UTF-8 is refused, where the query
 * parser would keep it as written). Empty for almost every request: a URL of printable ASCII
 * without `%` or a prototype word cannot break any of these rules.
 */
export function urlProblems(url: string, params: Record<string, unknown> | undefined): FieldProblem[] {
  if (!SUSPECT_URL.test(url)) return [];
  const problems: FieldProblem[] = [];
  for (const [name, value] of Object.entries(params ?? {})) {
    const found = typeof value === 'string' ? textProblem(name, value) : undefined;
    if (found) problems.push(found);
  }
  const mark = url.indexOf('?');
  if (mark === -1) return problems;
  for (const part of url.slice(mark + 1).split('&')) {
    if (problems.length >= MAX_PROBLEMS) break;
    if (part === '') continue;
    const equals = part.indexOf('=');
    const rawKey = equals === -1 ? part : part.slice(0, equals);
    const key = decodeComponent(rawKey);
    if (key === undefined) {
      problems.push({ field: printable(rawKey), rule: 'isUtf8', message: `query parameter ${printable(rawKey)}: its name is not percent-encoded UTF-8` });
      continue;
    }
    const field = printable(key);
    const found = keyProblem(field, key);
    if (found) {
      problems.push(found);
      continue;
    }
    const value = equals === -1 ? '' : decodeComponent(part.slice(equals + 1));
    if (value === undefined) {
      problems.push({ field, rule: 'isUtf8', message: `${field} must be percent-encoded UTF-8` });
      continue;
    }
    const bad = textProblem(field, value);
    if (bad) problems.push(bad);
  }
  return problems;
}
