// Hostile URLs: path segments that are not ids, query strings with unknown, duplicated or malformed
// parameters, and garbage Authorization headers.
import fc from 'fast-check';
import { encodeForUrl, nastyString, numberLikeText } from './nasty-values.ts';

/** Path segments that are no valid id (or the id of nothing): never empty, never a dot segment. */
export const notAnId: fc.Arbitrary<string> = fc
  .oneof(
    nastyString,
    numberLikeText,
    fc.constantFrom(
      '0',
      '00',
      '-1',
      '1.0',
      '1e2',
      '999999999999',
      '9007199254740993',
      'null',
      '[object Object]',
    ),
  )
  .map((text) => encodeForUrl(text.slice(0, 1000)))
  .filter((segment) => segment !== '' && !/^(\.|%2e){1,2}$/i.test(segment));

export type QueryPair = readonly [string, string];

/**
 * Names and values are cut to 200 characters so a URL stays under Node's 16 kB request-head limit: past it
 * Node itself answers 431 with an empty body, before Express runs (huge strings go in bodies instead).
 */
export function queryString(pairs: readonly QueryPair[]): string {
  const part = (text: string) => encodeForUrl(text.slice(0, 200));
  return pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${part(k)}=${part(v)}`).join('&')}`;
}

/** A name that is none of `known` (unknown parameters are refused by every strict route). */
export const unknownName = (known: readonly string[]) =>
  fc
    .oneof(nastyString, fc.constantFrom('__proto__', 'constructor', '$gt', 'a[b]', 'limit[]', 'toString'))
    .map((name) => name.slice(0, 200))
    .filter((name) => name !== '' && !known.includes(name));

/** Any query at all: unknown names, known names with nasty values, duplicates. */
export function anyQuery(known: readonly string[]): fc.Arbitrary<QueryPair[]> {
  const name = fc.oneof(fc.constantFrom(...known), unknownName(known));
  const value = fc.oneof(nastyString, numberLikeText).map((v) => v.slice(0, 300));
  return fc.array(fc.tuple(name, value), { maxLength: 4 });
}

/**
 * A query the route must refuse: a valid base with one fault — a known parameter with a bad value, an
 * unknown parameter, a parameter given twice, or a required one missing.
 */
export function invalidQuery(
  base: Record<string, string>,
  badValues: Record<string, fc.Arbitrary<string>>,
  known: readonly string[],
  required: readonly string[] = [],
): fc.Arbitrary<QueryPair[]> {
  const pairs = Object.entries(base) as QueryPair[];
  const faults: fc.Arbitrary<QueryPair[]>[] = [
    fc
      .tuple(unknownName(known), nastyString)
      .map(([name, value]) => [...pairs, [name, value.slice(0, 300)] as const]),
    fc
      .tuple(fc.constantFrom(...known), fc.oneof(nastyString, numberLikeText))
      .map(([name, value]) => [
        ...pairs.filter(([k]) => k !== name),
        [name, '1'] as const,
        [name, value.slice(0, 300)] as const,
      ]),
  ];
  const withBad = Object.keys(badValues);
  if (withBad.length > 0) {
    faults.push(
      fc
        .constantFrom(...withBad)
        .chain((name) =>
          (badValues[name] as fc.Arbitrary<string>).map((value) => [
            ...pairs.filter(([k]) => k !== name),
            [name, value] as const,
          ]),
        ),
    );
  }
  if (required.length > 0) {
    faults.push(fc.constantFrom(...required).map((name) => pairs.filter(([k]) => k !== name)));
  }
  return fc.oneof(...faults);
}
