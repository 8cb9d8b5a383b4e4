// Compiles SQL written with named bind parameters (`:userId`) into PostgreSQL's positional form (`$1`).
// It understands quotes, comments, dollar quoting and `::` casts, so only real placeholders are replaced;
// positional `$n` placeholders are refused so that every query names what it binds.
import { QueryDefinitionError } from '../errors.ts';

export interface CompiledSql {
  /** The SQL with `$1 … $n` in place of the named parameters. */
  readonly text: string;
  /** `names[i]` is bound to `$(i + 1)`; a name used twice appears once. */
  readonly names: readonly string[];
}

const identStart = /[A-Za-z_]/;
const identPart = /[A-Za-z0-9_]/;

export function compileNamedSql(sql: string): CompiledSql {
  const names: string[] = [];
  let out = '';
  let i = 0;
  const n = sql.length;

  const copyUntil = (end: number) => {
    out += sql.slice(i, end);
    i = end;
  };

  while (i < n) {
    const c = sql[i] as string;
    const next = sql[i + 1];
    if (c === "'") {
      copyUntil(endOfQuoted(sql, i, "'", isEscapeString(sql, i)));
    } else if (c === '"') {
      copyUntil(endOfQuoted(sql, i, '"', false));
    } else if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      copyUntil(eol === -1 ? n : eol);
    } else if (c === '/' && next === '*') {
      copyUntil(endOfBlockComment(sql, i));
    } else if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close === -1) throw new QueryDefinitionError(`unterminated dollar-quoted string ${tag[0]}`);
        copyUntil(close + tag[0].length);
      } else if (next !== undefined && /[0-9]/.test(next)) {
        throw new QueryDefinitionError(
          'positional parameters ($1) are not allowed: use a named parameter (:name)',
        );
      } else {
        copyUntil(i + 1);
      }
    } else if (c === ':' && next === ':') {
      copyUntil(i + 2);
    } else if (c === ':' && next !== undefined && identStart.test(next) && !isIdentChar(sql[i - 1])) {
      let end = i + 1;
      while (end < n && identPart.test(sql[end] as string)) end++;
      const name = sql.slice(i + 1, end);
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      out += `$${index + 1}`;
      i = end;
    } else {
      copyUntil(i + 1);
    }
  }
  return { text: out, names };
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && identPart.test(c);
}

/** `E'…'` strings allow backslash escapes; the E must stand alone, not end an identifier. */
function isEscapeString(sql: string, quoteAt: number): boolean {
  const before = sql[quoteAt - 1];
  return (before === 'E' || before === 'e') && !isIdentChar(sql[quoteAt - 2]);
}

function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  throw new QueryDefinitionError(`unterminated ${quote === "'" ? 'string literal' : 'quoted identifier'}`);
}

function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  throw new QueryDefinitionError('unterminated block comment');
}
