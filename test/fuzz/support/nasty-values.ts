// The hostile values the fuzz suites draw from: injection strings, awkward unicode (lone surrogates, RTL,
// zero-width, emoji), numbers out of range, wrong JSON types, invalid JSON texts, wrong content types and
// garbage header values. Every arbitrary here is pure data; the route suites decide what is invalid where.
import fc from 'fast-check';

export const injectionStrings = [
  "' OR 1=1 --",
  '{"$gt": ""}',
  '; DROP TABLE users;',
  "'; DROP TABLE pledges; --",
  '1; SELECT pg_sleep(1)',
  '$where: 1 == 1',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  ['$', '{7*7}'].join(''),
  '%00',
  '\u0000',
] as const;

export const unicodeStrings = [
  '\uD800',
  'a\uDFFFb',
  '\u202Egnp.exe',
  '\u200B\u200C\u200D\uFEFF',
  '👩‍👩‍👧‍👦🎸',
  'مرحبا بالعالم',
  'Z̷̧̛a̸l̵g̶o̴',
  '\u0085\u2028\u2029',
  '   ',
  '',
] as const;

/** A string of `length` characters: the "huge string" past every field limit. */
export const longString = (length: number, unit = 'x') => unit.repeat(length);

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...injectionStrings, ...unicodeStrings),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(101, 255, 1001, 5000).map((n) => longString(n, 'é')),
);

/** Numbers no id, amount or limit accepts, and number-looking strings. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1e308, -1e308, 2 ** 53 + 1, 2 ** 31, 2 ** 63, Number.MIN_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n) || n <= 0),
);
export const numberLikeText = fc.constantFrom(
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e3',
  '0x10',
  '1.5',
  '-1',
  '9007199254740993',
  '99999999999999999999',
  ' 1',
  '1 ',
  '',
);

/** Any JSON value of the wrong kind for a field: null, booleans, arrays, NoSQL operator objects. */
export const wrongTypeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constant({ $gt: '' }),
  fc.constant({ $ne: null }),
  fc.array(fc.oneof(fc.integer(), nastyString), { maxLength: 3 }),
  fc.dictionary(nastyString, fc.integer(), { maxKeys: 3 }),
);

export const invalidJsonTexts = fc.constantFrom(
  '{',
  '{"a":',
  "{'a': 1}",
  '{"a": NaN}',
  '{"a": 1,}',
  '[1, 2',
  'undefined',
  '{"a": "\\x00"}',
  '\uFEFF{}',
  '{"a": 01}',
  '"just a string"',
  '42',
  'null',
  'true',
);

export const wrongContentTypes = fc.constantFrom(
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonx',
  'text/json; charset=utf-8; boundary',
  'application/json; charset=utf-16',
  'application/json; charset=latin-9',
  'image/png',
);

/** Header values fetch can send (visible ASCII, spaces, tabs, Latin-1) that no token or key matches. */
export const garbageHeaderValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'Bearer x',
    'bearer short',
    "Bearer ' OR 1=1 --",
  ),
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 300,
  }),
  fc
    .string({ unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)), minLength: 1 })
    .map((s) => `Bearer ${s}`),
  fc.constant(`Bearer ${longString(4000, 'A')}`),
);

/** Text for a URL; a lone surrogate becomes the invalid UTF-8 bytes %ED%A0%80, as a careless client sends it. */
export function encodeForUrl(text: string): string {
  const sentinel = '\uFFFF';
  const wellFormed = text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    sentinel,
  );
  return encodeURIComponent(wellFormed).replaceAll('%EF%BF%BF', '%ED%A0%80');
}
