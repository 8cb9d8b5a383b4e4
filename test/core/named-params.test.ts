// Unit tests of the named-parameter compiler and of parameter binding.
import { describe, expect, it } from 'vitest';
import { compileNamedSql } from '../../core/db/named-params.ts';
import { bindParams, defineQuery } from '../../core/db/query.ts';
import { QueryDefinitionError, QueryParamsError } from '../../core/errors.ts';

describe('compileNamedSql', () => {
  it('numbers named parameters in order of first use and reuses a repeated name', () => {
    const compiled = compileNamedSql('SELECT :b, :a, :b');
    expect(compiled.text).toBe('SELECT $1, $2, $1');
    expect(compiled.names).toEqual(['b', 'a']);
  });

  it('leaves :: casts, string literals, quoted identifiers and comments untouched', () => {
    const sql = `SELECT :x::int, ':no', "col:no", E'it\\'s :no', 'it''s :no' -- :no\n/* :no /* :no */ */ , :y`;
    const compiled = compileNamedSql(sql);
    expect(compiled.names).toEqual(['x', 'y']);
    expect(compiled.text).toBe(sql.replace(':x', '$1').replace(/, :y$/, ', $2'));
  });

  it('leaves dollar-quoted bodies untouched', () => {
    const compiled = compileNamedSql('SELECT $tag$ :no $tag$, $$ :no $$, :yes');
    expect(compiled.names).toEqual(['yes']);
  });

  it('refuses positional parameters', () => {
    expect(() => compileNamedSql('SELECT $1')).toThrow(QueryDefinitionError);
  });

  it('refuses unterminated literals and comments', () => {
    expect(() => compileNamedSql("SELECT 'open")).toThrow(QueryDefinitionError);
    expect(() => compileNamedSql('SELECT /* open')).toThrow(QueryDefinitionError);
    expect(() => compileNamedSql('SELECT $q$ open')).toThrow(QueryDefinitionError);
  });

  it('does not treat a word followed by a colon inside an identifier as a parameter', () => {
    expect(compileNamedSql('SELECT a:b').names).toEqual([]);
  });
});

describe('defineQuery and bindParams', () => {
  const query = defineQuery<{ id: number; when: Date }>(
    'test.findThing',
    'SELECT * FROM t WHERE id = :id AND at < :when',
  );

  it('binds values in placeholder order', () => {
    const when = new Date('2026-01-01T00:00:00Z');
    expect(bindParams(query, { when, id: 7 })).toEqual([7, when]);
  });

  it('names a missing parameter', () => {
    expect(() => bindParams(query, { id: 1 } as never)).toThrow(/missing parameter "when"/);
  });

  it('names an unexpected parameter', () => {
    expect(() => bindParams(query, { id: 1, when: new Date(), idd: 2 } as never)).toThrow(QueryParamsError);
  });

  it('records the operation from the leading verb, ignoring comments', () => {
    expect(query.operation).toBe('SELECT');
    expect(defineQuery('test.insertThing', '-- note\nINSERT INTO t VALUES (:v)').operation).toBe('INSERT');
    expect(defineQuery('test.lockThing', 'LOCK TABLE t').operation).toBe('OTHER');
  });

  it('requires an area.verbNoun name', () => {
    expect(() => defineQuery('bad name', 'SELECT 1')).toThrow(QueryDefinitionError);
  });
});
