// A query is a named, pre-compiled SQL statement with typed parameters (P) and rows (R).
// Defining one compiles its named parameters once; binding checks that exactly those names are given.
import { QueryDefinitionError, QueryParamsError } from '../errors.ts';
import { compileNamedSql } from './named-params.ts';

/** Values a parameter may carry. Arrays bind as PostgreSQL arrays; bigint binds as its decimal text. */
export type SqlValue = string | number | boolean | bigint | Date | null | readonly SqlValue[];
export type QueryParams = Record<string, SqlValue>;

/** The statement's leading verb, used as the `db.operation` label (bounded: never the SQL text). */
export type QueryOperation = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'WITH' | 'OTHER';

export interface Query<P extends QueryParams, R> {
  /** Dotted, stable name such as `seed.countUsers`: the label on query metrics and in logs. */
  readonly name: string;
  readonly operation: QueryOperation;
  readonly text: string;
  readonly paramNames: readonly string[];
  /** Phantom fields carrying the parameter and row types; never set. */
  readonly _types?: { params: P; row: R };
}

const namePattern = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)+$/;

export function defineQuery<P extends QueryParams = Record<string, never>, R = Record<string, unknown>>(
  name: string,
  sql: string,
): Query<P, R> {
  if (!namePattern.test(name))
    throw new QueryDefinitionError(`query name "${name}" must look like "area.verbNoun"`);
  const compiled = compileNamedSql(sql);
  return { name, operation: operationOf(sql), text: compiled.text, paramNames: compiled.names };
}

/** Orders the values for `$1 … $n`; a missing, undefined or unexpected parameter is an error. */
export function bindParams(query: Query<QueryParams, unknown>, params: QueryParams): unknown[] {
  const expected = new Set(query.paramNames);
  for (const key of Object.keys(params)) {
    if (!expected.has(key)) throw new QueryParamsError(`${query.name}: unexpected parameter "${key}"`);
  }
  return query.paramNames.map((paramName) => {
    const value = params[paramName];
    if (value === undefined) throw new QueryParamsError(`${query.name}: missing parameter "${paramName}"`);
    return toDriverValue(value);
  });
}

function toDriverValue(value: SqlValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toDriverValue);
  return value;
}

function operationOf(sql: string): QueryOperation {
  const withoutComments = sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
  const verb = /^\s*\(?\s*([A-Za-z]+)/.exec(withoutComments)?.[1]?.toUpperCase();
  switch (verb) {
    case 'SELECT':
    case 'INSERT':
    case 'UPDATE':
    case 'DELETE':
    case 'WITH':
      return verb;
    default:
      return 'OTHER';
  }
}
