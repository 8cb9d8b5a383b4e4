// Invalid request bodies for a JSON route, built from one valid body by a single mutation that the route
// must refuse: a required field dropped, an unknown field added, a field of the wrong type or out of range,
// a body that is not an object, text that is not JSON, a wrong content type, or a body past the 16 kB limit.
import fc from 'fast-check';
import type { FuzzCase } from './fuzz-run.ts';
import {
  invalidJsonTexts,
  longString,
  nastyNumber,
  nastyString,
  numberLikeText,
  wrongContentTypes,
  wrongTypeValue,
} from './nasty-values.ts';

export interface FieldSpec {
  readonly kind: 'string' | 'number' | 'boolean';
  readonly required: boolean;
  /** null is accepted (an optional field that may be cleared). */
  readonly nullable?: boolean;
  /** Values of the right JSON type that the route still refuses (too long, empty, not an email …). */
  readonly invalid?: fc.Arbitrary<unknown>;
}

const json = { 'content-type': 'application/json' };

function wrongKind(kind: FieldSpec['kind']): fc.Arbitrary<unknown> {
  if (kind === 'string') return fc.oneof(wrongTypeValue, nastyNumber, fc.integer());
  if (kind === 'number') return fc.oneof(wrongTypeValue, nastyNumber, numberLikeText, nastyString);
  return fc.oneof(
    wrongTypeValue.filter((v) => typeof v !== 'boolean'),
    fc.constantFrom('true', 'false', 1, 0),
  );
}

/** Number literals JSON.parse turns into values no whole-number field accepts. */
const rawNumberLiterals = fc.constantFrom('1e309', '-1e309', '-0.0', '1e-400', '0.0000001', '-5');

export function invalidBodies(
  base: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
): fc.Arbitrary<{ headers: Record<string, string>; body: string }> {
  const names = Object.keys(fields);
  const required = names.filter((name) => fields[name]?.required);
  const withBody = (value: unknown, headers: Record<string, string> = json) => ({
    headers,
    body: JSON.stringify(value),
  });
  const mutations: fc.Arbitrary<{ headers: Record<string, string>; body: string }>[] = [
    fc.constantFrom(...required).map((name) => {
      const { [name]: _dropped, ...rest } = base;
      return withBody(rest);
    }),
    fc
      .tuple(
        fc.oneof(nastyString, fc.constantFrom('$gt', '$where', 'constructor', 'isAdmin', 'id', 'userId')),
        fc.oneof(nastyString, wrongTypeValue, nastyNumber),
      )
      .filter(([key]) => !names.includes(key) && key !== '__proto__')
      .map(([key, value]) => withBody({ ...base, [key]: value })),
    fc.constant(`{${JSON.stringify(base).slice(1, -1)},"__proto__":{"admin":true}}`).map((body) => ({
      headers: json,
      body,
    })),
    fc.constantFrom(...names).chain((name) =>
      wrongKind(fields[name]?.kind ?? 'string')
        .filter((value) => !(value === null && fields[name]?.nullable))
        .map((value) => withBody({ ...base, [name]: value })),
    ),
    fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.constant([base])).map((value) => withBody(value)),
    invalidJsonTexts.map((body) => ({ headers: json, body })),
    fc.tuple(wrongContentTypes, fc.boolean()).map(([type, asJson]) => ({
      headers: { 'content-type': type },
      body: asJson ? JSON.stringify(base) : 'name=x&amountCents=1',
    })),
    fc.constantFrom(16_385, 40_000, 200_000).map((size) => withBody({ ...base, padding: longString(size) })),
  ];
  const numberFields = names.filter((name) => fields[name]?.kind === 'number');
  if (numberFields.length > 0) {
    mutations.push(
      fc.tuple(fc.constantFrom(...numberFields), rawNumberLiterals).map(([name, literal]) => ({
        headers: json,
        body: JSON.stringify({ ...base, [name]: 0 }).replace(`"${name}":0`, `"${name}":${literal}`),
      })),
    );
  }
  const withInvalid = names.filter((name) => fields[name]?.invalid);
  if (withInvalid.length > 0) {
    mutations.push(
      fc
        .constantFrom(...withInvalid)
        .chain((name) =>
          (fields[name]?.invalid ?? fc.constant(undefined)).map((value) =>
            withBody({ ...base, [name]: value }),
          ),
        ),
    );
  }
  return fc.oneof(...mutations);
}

/** Wraps invalid bodies into cases for one route. */
export function invalidBodyCases(
  method: FuzzCase['method'],
  path: fc.Arbitrary<string> | string,
  extraHeaders: Record<string, string>,
  base: Record<string, unknown>,
  fields: Record<string, FieldSpec>,
): fc.Arbitrary<FuzzCase> {
  const paths = typeof path === 'string' ? fc.constant(path) : path;
  return fc.tuple(paths, invalidBodies(base, fields)).map(([p, { headers, body }]) => ({
    method,
    path: p,
    headers: { ...extraHeaders, ...headers },
    body,
    expect: 'invalid' as const,
  }));
}
