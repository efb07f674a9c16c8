import { MAX_JSON_DEPTH, parseJsonBody, textProblem, urlProblems } from './hostile-input';
import { RequestValidationException } from '@stance-ledger/application';

const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof RequestValidationException) return error.problems;
    throw error;
  }
  return [];
};

const body = (text: string) => parseJsonBody(Buffer.from(text, 'utf8'));

describe('JSON bodies', () => {
  it('accepts text with TAB, LF, CR, any script, emoji (surrogate pairs) and \\u escapes of them', () => {
    const value = body('{"a":"tab\\there\\nline\\r","b":"España 日本 😀","c":"\\u00e9\\ud83d\\ude00","d":{"e":["\\"\\\\\\/"]}}');
    expect(value).toEqual({ a: 'tab\there\nline\r', b: 'España 日本 😀', c: 'é😀', d: { e: ['"\\/'] } });
  });

  it.each([
    ['\\u0000', 'noControlCharacters'],
    ['\\b', 'noControlCharacters'],
    ['\\f', 'noControlCharacters'],
    ['\\u001f', 'noControlCharacters'],
    ['\u007f', 'noControlCharacters'],
    ['\u0080', 'noControlCharacters'],
    ['\u009f', 'noControlCharacters'],
    ['\\ud800', 'wellFormedUnicode'],
    ['\\udc00x', 'wellFormedUnicode'],
    ['\\ude00\\ud83d', 'wellFormedUnicode'],
  ])('refuses %j in a string, naming its path', (bad, rule) => {
    expect(problemsOf(() => body(`{"source":{"quote":"a${bad}b"},"list":["ok"]}`))).toEqual([
      { field: 'source.quote', rule, message: expect.stringContaining('source.quote') },
    ]);
  });

  it('names array items and every problem, not only the first', () => {
    expect(problemsOf(() => body('{"roles":["ok","\\u0007"],"name":"\\ud800"}')).map(({ field, rule }) => [field, rule])).toEqual([
      ['roles[1]', 'noControlCharacters'],
      ['name', 'wellFormedUnicode'],
    ]);
  });

  it.each([
    ['{"__proto__":{"admin":true}}', '__proto__'],
    ['{"constructor":{"prototype":{}}}', 'constructor'],
    ['{"a":{"prototype":1}}', 'a.prototype'],
    ['{"a":[{"__proto__":1}]}', 'a[0].__proto__'],
    ['{"\\u005f_proto__":1}', '__proto__'],
  ])('refuses the key in %s', (text, field) => {
    expect(problemsOf(() => body(text))).toEqual([{ field, rule: 'forbiddenKey', message: expect.stringContaining(field) }]);
  });

  it('accepts the words in values and in longer keys', () => {
    expect(body('{"constructorName":"__proto__","a":"prototype"}')).toEqual({ constructorName: '__proto__', a: 'prototype' });
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels and refuses one more, before parsing; brackets in strings do not count`, () => {
    /** `arrays` arrays, one in another; inside the body's object, one level more. */
    const nested = (arrays: number) => `${'['.repeat(arrays)}1${']'.repeat(arrays)}`;
    expect(() => body(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`)).not.toThrow();
    expect(problemsOf(() => body(`{"a":${nested(MAX_JSON_DEPTH)}}`))).toEqual([{ field: 'body', rule: 'maxDepth', message: expect.stringContaining(`${MAX_JSON_DEPTH}`) }]);
    expect(problemsOf(() => body(`{"a":${nested(1_000_000)}}`))[0].rule).toBe('maxDepth');
    expect(body(`{"a":"${'[{'.repeat(100)}","b":[1,2],"c":[3]}`)).toMatchObject({ b: [1, 2] });
    expect(body(`{"a":"\\"${'['.repeat(100)}"}`)).toEqual({ a: `"${'['.repeat(100)}` });
  });

  it.each([
    ['FF', [0xff]],
    ['an overlong /', [0xc0, 0xaf]],
    ['a UTF-8 surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ])('refuses invalid UTF-8 (%s) instead of repairing it to U+FFFD', (_name, bytes) => {
    const raw = Buffer.concat([Buffer.from('{"a":"x'), Buffer.from(bytes), Buffer.from('"}')]);
    expect(problemsOf(() => parseJsonBody(raw))).toEqual([{ field: 'body', rule: 'isUtf8', message: expect.any(String) }]);
  });

  it.each([
    ['', 'isJson'],
    ['{"a":', 'isJson'],
    ['[]', 'isObject'],
    ['null', 'isObject'],
    ['42', 'isObject'],
  ])('refuses %j as a body', (text, rule) => {
    expect(problemsOf(() => body(text))).toEqual([{ field: 'body', rule, message: expect.any(String) }]);
  });
});

describe('Text', () => {
  it('allows TAB, LF, CR and refuses the other C0 controls, DEL and C1', () => {
    for (const allowed of ['\t', '\n', '\r', ' ', '~', '\u00a0', '\u2028']) expect(textProblem('f', `a${allowed}b`)).toBeUndefined();
    for (let code = 0; code < 0xa0; code++) {
      const refused = (code < 0x20 && ![0x09, 0x0a, 0x0d].includes(code)) || code >= 0x7f;
      expect(textProblem('f', String.fromCharCode(code))?.rule).toBe(refused ? 'noControlCharacters' : undefined);
    }
  });
});

describe('URLs', () => {
  it('has nothing to say of printable ASCII without % or prototype words, whatever the router decoded', () => {
    expect(urlProblems('/topics/abc?minPosition=1&on=2026-01-01', { topicId: 'abc' })).toEqual([]);
  });

  it('names the path parameter holding a control', () => {
    expect(urlProblems('/audit/streams/country-ES%00', { stream: 'country-ES\u0000' })).toEqual([
      { field: 'stream', rule: 'noControlCharacters', message: expect.stringContaining('stream') },
    ]);
  });

  it.each([
    ['stream=a%00b', 'stream', 'noControlCharacters'],
    ['stream=a%C2%85', 'stream', 'noControlCharacters'],
    ['stream=%ED%A0%80', 'stream', 'isUtf8'],
    ['stream=%FF', 'stream', 'isUtf8'],
    ['stream=%', 'stream', 'isUtf8'],
    ['__proto__=1', '__proto__', 'forbiddenKey'],
    ['%5F_proto__=1', '__proto__', 'forbiddenKey'],
    ['constructor', 'constructor', 'forbiddenKey'],
    ['a%00=1', 'a\\u0000', 'noControlCharacters'],
  ])('refuses ?%s naming %s', (query, field, rule) => {
    expect(urlProblems(`/audit/events?limit=1&${query}`, {})).toEqual([{ field, rule, message: expect.stringContaining(field) }]);
  });

  it('accepts percent-encoded UTF-8 text and + as a space', () => {
    expect(urlProblems('/audit/events?stream=Espa%C3%B1a+x&knownAt=2026-01-07T12%3A00%3A00%2B01%3A00', {})).toEqual([]);
  });
});
