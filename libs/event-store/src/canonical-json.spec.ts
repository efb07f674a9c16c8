import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('writes the same bytes as the canonicalize package for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('sorts keys by UTF-16 code units, array-index keys included', () => {
    const value = { b: 1, a: { '10': true, '9': false, é: 'x', Z: [3, { y: null, x: 'é' }] }, '': 0, '€': -0.5, '𝄞': 1e21 };
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(canonicalJson({ z: 1, a: 2 })).toBe('{"a":2,"z":1}');
    // JSON.parse makes "__proto__" an own key; it must be hashed like any other.
    expect(canonicalJson(JSON.parse('{"__proto__":"x","":false}'))).toBe('{"":false,"__proto__":"x"}');
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.nat().map(String)), fc.jsonValue()), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what JSON cannot hold exactly, as canonicalize does', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
    expect(() => canonicalize({ a: Number.NaN })).toThrow();
  });
});
