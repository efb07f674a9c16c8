import canonicalize from 'canonicalize';

/** Keys JavaScript lists first, in numeric order, whatever the order they were inserted in. */
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/**
 * RFC 8785 (JCS) canonical JSON, the same bytes as the `canonicalize` package, about twice as
 * fast: the engine's own JSON.stringify with each object's keys sorted on the way. JCS writes
 * primitives as JSON.stringify does, so only the key order needs help. Objects with array-index
 * keys, which no object can list in string order, are left to `canonicalize`.
 */
export function canonicalJson(value: unknown): string | undefined {
  let indexKeys = false;
  const text = JSON.stringify(value, function sortKeys(_key: string, current: unknown) {
    if (typeof current === 'number' && !Number.isFinite(current)) throw new Error(`${current} is not allowed in canonical JSON`);
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return current;
    const keys = Object.keys(current);
    if (keys.length < 2) return current;
    keys.sort();
    // No prototype: a key "__proto__" (JSON.parse makes it an own key) stays a key, not a prototype.
    const sorted: Record<string, unknown> = Object.create(null);
    for (const key of keys) {
      if (!indexKeys && ARRAY_INDEX.test(key)) indexKeys = true;
      sorted[key] = (current as Record<string, unknown>)[key];
    }
    return sorted;
  });
  return indexKeys ? canonicalize(value) : text;
}
