import { InvalidValueError } from './errors';

/** Trims and bounds a required free-text field. */
export function requiredText(value: unknown, field: string, maxLength: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) {
    throw new InvalidValueError(field, 'isNotEmpty', `${field} is required and must be non-empty text`);
  }
  return boundedText(text, field, maxLength);
}

/** Trims an optional free-text field; absent or blank becomes null. */
export function optionalText(value: unknown, field: string, maxLength: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new InvalidValueError(field, 'isString', `${field} must be text`);
  }
  const text = value.trim();
  return text.length === 0 ? null : boundedText(text, field, maxLength);
}

function boundedText(text: string, field: string, maxLength: number): string {
  if (text.length > maxLength) {
    throw new InvalidValueError(
      field,
      'maxLength',
      `${field} must be at most ${maxLength} characters, got ${text.length}`,
    );
  }
  return text;
}

export function optionalHttpUrl(value: unknown, field: string, maxLength: number): string | null {
  const text = optionalText(value, field, maxLength);
  if (text === null) return null;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidValueError(field, 'isUrl', `${field} must be an http(s) URL`);
  }
  return text;
}
