/** Characters a JSON string cannot hold as they are: JSON.stringify escapes these (lone surrogates too). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function writeString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** What JSON leaves out of an object, and writes as null in an array. */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`${value} is not allowed in canonical JSON`);
      // JCS writes numbers as ECMAScript does.
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      const withJson = value as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === 'function') return write(withJson.toJSON());
      if (Array.isArray(value)) {
        let out = '[';
        for (let index = 0; index < value.length; index++) {
          if (index > 0) out += ',';
          out += isOmitted(value[index]) ? 'null' : write(value[index]);
        }
        return `${out}]`;
      }
      // sort() orders by UTF-16 code units, as JCS asks, array-index keys included.
      const keys = Object.keys(value).sort();
      let out = '{';
      for (const key of keys) {
        const member = (value as Record<string, unknown>)[key];
        if (isOmitted(member)) continue;
        if (out.length > 1) out += ',';
        out += `${writeString(key)}:${write(member)}`;
      }
      return `${out}}`;
    }
    default:
      throw new Error(`a ${typeof value} is not allowed in canonical JSON`);
  }
}

/**
 * RFC 8785 (JCS) canonical JSON: the same bytes as the `canonicalize` package (a spec holds them
 * equal), written in one pass that copies plain strings as they are instead of sending every
 * value through JSON.stringify; hashing is on every command's path and every verified event's.
 */
export function canonicalJson(value: unknown): string | undefined {
  return isOmitted(value) ? undefined : write(value);
}
