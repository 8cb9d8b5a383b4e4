// The bounded db.query.summary of the drop-in agent ("SELECT pledges"), read from the SQL text of any pg or
// sqlite3 call by one forward scan that steps over comments, string literals and dollar quotes: only
// keywords and identifiers can reach the summary, so its distinct values follow the SQL shapes, never the data.
//
// Rules where SQL leaves a choice (the tests pin each one):
// - operation: the first keyword of the first statement, from a fixed list, else OTHER. `WITH … AS (…)`
//   reports the main statement after the CTEs (`WITH x AS (…) UPDATE pledges …` → UPDATE pledges).
// - target: one table, at the statement's own parenthesis depth: after FROM (SELECT, DELETE), INTO (INSERT,
//   REPLACE, UPSERT, MERGE), UPDATE, TRUNCATE [TABLE], COPY. `FROM (subquery)` and `COPY (query)` take the
//   subquery's own table. A function (`FROM generate_series(…)`), a parameter or a number is no target.
// - CREATE/DROP/ALTER keep the object kind with modifiers dropped: `CREATE UNIQUE INDEX IF NOT EXISTS i ON t`
//   → CREATE INDEX i (operation CREATE); an unnamed index → CREATE INDEX; ROLE and USER names are never kept.
// - PRAGMA keeps the pragma's name, never its value (`PRAGMA key = '…'`): `PRAGMA journal_mode = WAL` →
//   PRAGMA journal_mode. EXPLAIN, SET, SAVEPOINT, LISTEN, CALL and the rest are the keyword alone.
// - a name is one or two parts (`public.users`), each /^[A-Za-z_][A-Za-z0-9_$]*$/ and at most 63 characters
//   (PostgreSQL's limit); a quoted identifier counts by its inner name; anything else is no target.
// - block comments nest (PostgreSQL, the SQL standard); only `E'…'` strings read backslash escapes.

export interface QuerySummary {
  readonly summary: string;
  readonly operation: string;
}

/** A memoising summarizer; `size` is how many SQL texts it holds now (never more than its maximum). */
export interface SummaryCache {
  (sql: string): QuerySummary;
  readonly size: number;
}

const OTHER: QuerySummary = Object.freeze({ summary: 'OTHER', operation: 'OTHER' });
/** Longer SQL (a bulk insert with inlined rows) is summarized on each call rather than held in memory. */
const CACHEABLE_SQL_LENGTH = 4096;
const MAX_NAME_LENGTH = 63;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;
/** `]` closes a SQLite `[name]`; a quote or another `[` first means the `[` was a subscript. */
const BRACKET_STOPS = new Set([...']\'"['].map((char) => char.charCodeAt(0)));

/** The words of a whitespace-separated list, as a set. */
function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.trim().split(/\s+/));
}

const OPERATIONS = wordSet(`
  SELECT INSERT UPDATE DELETE REPLACE UPSERT MERGE VALUES WITH
  CREATE DROP ALTER TRUNCATE COPY PRAGMA VACUUM ANALYZE EXPLAIN
  BEGIN START COMMIT END ROLLBACK ABORT SAVEPOINT RELEASE
  SET SHOW LISTEN NOTIFY CALL DO
`);
const MAIN_AFTER_WITH = wordSet('SELECT INSERT UPDATE DELETE MERGE REPLACE VALUES');
const OBJECT_KINDS = wordSet(`
  TABLE INDEX VIEW TRIGGER SEQUENCE SCHEMA FUNCTION PROCEDURE TYPE EXTENSION DATABASE DOMAIN POLICY ROLE USER
`);
const KIND_MODIFIERS = wordSet(
  'OR REPLACE TEMP TEMPORARY UNLOGGED UNIQUE GLOBAL LOCAL MATERIALIZED VIRTUAL RECURSIVE FOREIGN',
);
const UNNAMED_KINDS = wordSet('ROLE USER');
const NAME_PREFIXES = wordSet('IF NOT EXISTS CONCURRENTLY ONLY');
const TRUNCATE_PREFIXES = wordSet('TABLE ONLY');

type TokenKind = 'word' | 'quoted' | '(' | ')' | '.' | 'other';
interface Token {
  readonly kind: TokenKind;
  /** The word as written, or a quoted identifier's inner name ('?' when it is not a plain name). */
  readonly text: string;
  /** Parenthesis depth the token sits at (a parenthesis counts at the depth outside it). */
  readonly depth: number;
}

function isWordStart(code: number): boolean {
  return (
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 95 ||
    (code >= 128 && !isSpace(code))
  );
}

function isWordPart(code: number): boolean {
  return isWordStart(code) || (code >= 48 && code <= 57) || code === 36;
}

function isSpace(code: number): boolean {
  return code <= 32 || code === 0xa0 || code === 0xfeff;
}

/** Index just past the literal or identifier opened at `start`; the end of the text when it never closes. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    const char = sql[i];
    if (backslashEscapes && char === '\\') i++;
    else if (char === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let nesting = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      nesting++;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      nesting--;
      i++;
      if (nesting === 0) return i + 1;
    }
  }
  return sql.length;
}

function boundedName(name: string): string {
  return name.length <= MAX_NAME_LENGTH && PLAIN_NAME.test(name) ? name : '?';
}

/**
 * The first statement's tokens, scanned only as far as they are asked for: an INSERT with 100 kB of inlined
 * rows is read up to its table name. Literals, numbers, parameters and operators are all kind 'other'.
 */
class SqlTokens {
  private readonly tokens: Token[] = [];
  private position = 0;
  private depth = 0;
  private finished = false;

  constructor(private readonly sql: string) {}

  at(index: number): Token | undefined {
    while (this.tokens.length <= index && !this.finished) this.scanOne();
    return this.tokens[index];
  }

  private push(kind: TokenKind, end: number, text = ''): void {
    this.tokens.push({ kind, text, depth: this.depth });
    this.position = end;
  }

  private scanOne(): void {
    const sql = this.sql;
    let i = this.position;
    for (;;) {
      if (i >= sql.length) {
        this.finished = true;
        return;
      }
      const code = sql.charCodeAt(i);
      if (isSpace(code)) i++;
      else if (sql.startsWith('--', i)) {
        const lineEnd = sql.indexOf('\n', i);
        i = lineEnd < 0 ? sql.length : lineEnd;
      } else if (sql.startsWith('/*', i)) i = skipBlockComment(sql, i);
      else if (sql[i] === ';' && this.depth === 0 && this.tokens.length === 0) i++;
      else break;
    }
    this.scanToken(i);
  }

  private scanToken(start: number): void {
    const sql = this.sql;
    const char = sql[start] as string;
    if (char === ';' && this.depth === 0) {
      this.finished = true;
    } else if (char === '(') {
      this.push('(', start + 1);
      this.depth++;
    } else if (char === ')') {
      this.depth = Math.max(0, this.depth - 1);
      this.push(')', start + 1);
    } else if (char === "'") {
      this.push('other', skipQuoted(sql, start, "'", false));
    } else if (char === '"' || char === '`') {
      const end = skipQuoted(sql, start, char, false);
      const closed = end - start >= 2 && sql[end - 1] === char;
      this.push('quoted', end, closed ? boundedName(sql.slice(start + 1, end - 1)) : '?');
    } else if (char === '[') {
      this.scanBracket(start);
    } else if (char === '$') {
      this.scanDollar(start);
    } else if (isWordStart(sql.charCodeAt(start))) {
      this.scanWord(start);
    } else if (char === '.' && !(sql.charCodeAt(start + 1) >= 48 && sql.charCodeAt(start + 1) <= 57)) {
      this.push('.', start + 1);
    } else if (char === '.' || (char >= '0' && char <= '9')) {
      let end = start + 1;
      while (end < sql.length && (isWordPart(sql.charCodeAt(end)) || sql[end] === '.')) end++;
      this.push('other', end);
    } else {
      this.push('other', start + 1);
    }
  }

  /**
   * `[name]` is a SQLite identifier; a `[` that does not close within a name's length, or that holds a quote or
   * another `[`, is PostgreSQL's subscript. The bound keeps `[[[…` linear.
   */
  private scanBracket(start: number): void {
    const limit = Math.min(this.sql.length, start + 2 + MAX_NAME_LENGTH);
    let end = start + 1;
    while (end < limit && !BRACKET_STOPS.has(this.sql.charCodeAt(end))) end++;
    if (this.sql[end] === ']') this.push('quoted', end + 1, boundedName(this.sql.slice(start + 1, end)));
    else this.push('other', start + 1);
  }

  /** `$tag$ … $tag$` (and `$$ … $$`) is a dollar-quoted literal; `$1` or `$name` is a parameter. */
  private scanDollar(start: number): void {
    const sql = this.sql;
    let end = start + 1;
    while (end < sql.length && isWordPart(sql.charCodeAt(end)) && sql[end] !== '$') end++;
    const tagStartsWithDigit = sql.charCodeAt(start + 1) >= 48 && sql.charCodeAt(start + 1) <= 57;
    if (sql[end] !== '$' || tagStartsWithDigit) {
      this.push('other', end);
      return;
    }
    const tag = sql.slice(start, end + 1);
    const close = sql.indexOf(tag, end + 1);
    this.push('other', close < 0 ? sql.length : close + tag.length);
  }

  /** A word, or a prefixed literal written against its quote: E'…' (backslash escapes), X'…', B'…', N'…'. */
  private scanWord(start: number): void {
    const sql = this.sql;
    let end = start + 1;
    while (end < sql.length && isWordPart(sql.charCodeAt(end))) end++;
    const prefix = end - start === 1 ? (sql[start] as string).toUpperCase() : '';
    if (sql[end] === "'" && prefix !== '' && 'EXBN'.includes(prefix)) {
      this.push('other', skipQuoted(sql, end, "'", prefix === 'E'));
    } else {
      this.push('word', end, sql.slice(start, end));
    }
  }
}

function isWord(token: Token | undefined, upper: string): boolean {
  return token?.kind === 'word' && token.text.length === upper.length && token.text.toUpperCase() === upper;
}

function upperWord(token: Token | undefined): string {
  return token?.kind === 'word' && token.text.length <= 16 ? token.text.toUpperCase() : '';
}

/** Index of the first matching word at exactly `depth`, searching no further than the end of that depth. */
function findWord(
  tokens: SqlTokens,
  from: number,
  depth: number,
  matches: (word: string) => boolean,
): number {
  for (let i = from; ; i++) {
    const token = tokens.at(i);
    if (!token || token.depth < depth) return -1;
    if (token.depth === depth && matches(upperWord(token))) return i;
  }
}

/** A one- or two-part table name starting at `index`, or null when what stands there is no plain name. */
function readName(tokens: SqlTokens, index: number, allowParenthesis: boolean): string | null {
  const parts: string[] = [];
  let i = index;
  for (;;) {
    const token = tokens.at(i);
    if (token?.kind !== 'word' && token?.kind !== 'quoted') return null;
    parts.push(token.text);
    if (parts.length > 2) return null;
    if (tokens.at(i + 1)?.kind !== '.') break;
    i += 2;
  }
  if (parts.some((part) => boundedName(part) === '?')) return null;
  if (!allowParenthesis && tokens.at(i + 1)?.kind === '(') return null;
  return parts.join('.');
}

/** The table a FROM (or COPY) reads: a subquery in parentheses stands for the table it reads itself. */
function readSource(tokens: SqlTokens, index: number): string | null {
  let i = index;
  for (;;) {
    const token = tokens.at(i);
    if (isWord(token, 'ONLY') || isWord(token, 'LATERAL')) i++;
    else if (token?.kind === '(' && tokens.at(i + 1)?.kind === '(') i++;
    else if (token?.kind === '(') {
      const from = findWord(tokens, i + 1, token.depth + 1, (word) => word === 'FROM');
      if (from < 0) return null;
      i = from + 1;
    } else return readName(tokens, i, false);
  }
}

/** The table after the first `word` at the statement's depth (`a IS DISTINCT FROM b` is a comparison). */
function readAfterWord(tokens: SqlTokens, start: number, depth: number, word: string): string | null {
  let found = start;
  do {
    found = findWord(tokens, found + 1, depth, (candidate) => candidate === word);
    if (found < 0) return null;
  } while (isWord(tokens.at(found - 1), 'DISTINCT'));
  if (word === 'FROM') return readSource(tokens, found + 1);
  return readName(tokens, found + 1, true);
}

function skipWords(tokens: SqlTokens, from: number, skippable: ReadonlySet<string>): number {
  let i = from;
  while (skippable.has(upperWord(tokens.at(i)))) i++;
  return i;
}

/** `CREATE TABLE users`, `DROP INDEX idx_pledges_user`: the kind keeps the summary readable across objects. */
function summarizeDefinition(operation: string, tokens: SqlTokens, start: number): QuerySummary {
  const kindIndex = skipWords(tokens, start + 1, KIND_MODIFIERS);
  const kind = upperWord(tokens.at(kindIndex));
  if (!OBJECT_KINDS.has(kind)) return { summary: operation, operation };
  const nameIndex = skipWords(tokens, kindIndex + 1, NAME_PREFIXES);
  const name = isWord(tokens.at(nameIndex), 'ON') ? null : readName(tokens, nameIndex, true);
  const summary = name && !UNNAMED_KINDS.has(kind) ? `${operation} ${kind} ${name}` : `${operation} ${kind}`;
  return { summary, operation };
}

function readTarget(operation: string, tokens: SqlTokens, start: number, depth: number): string | null {
  switch (operation) {
    case 'SELECT':
    case 'DELETE':
      return readAfterWord(tokens, start, depth, 'FROM');
    case 'INSERT':
    case 'REPLACE':
    case 'UPSERT':
    case 'MERGE':
      return readAfterWord(tokens, start, depth, 'INTO');
    case 'UPDATE': {
      // SQLite's `UPDATE OR IGNORE t`, PostgreSQL's `UPDATE ONLY t`.
      const afterOr = isWord(tokens.at(start + 1), 'OR') ? start + 3 : start + 1;
      return readName(tokens, skipWords(tokens, afterOr, NAME_PREFIXES), true);
    }
    case 'TRUNCATE':
      return readName(tokens, skipWords(tokens, start + 1, TRUNCATE_PREFIXES), true);
    case 'COPY':
      return tokens.at(start + 1)?.kind === '('
        ? readSource(tokens, start + 1)
        : readName(tokens, start + 1, true);
    case 'PRAGMA':
      return readName(tokens, start + 1, true);
    default:
      return null;
  }
}

function summarizeTokens(tokens: SqlTokens): QuerySummary {
  let start = 0;
  while (tokens.at(start)?.kind === '(') start++;
  const first = tokens.at(start);
  let operation = upperWord(first);
  if (!first || !OPERATIONS.has(operation)) return OTHER;
  if (operation === 'WITH') {
    const main = findWord(tokens, start + 1, first.depth, (word) => MAIN_AFTER_WITH.has(word));
    if (main < 0) return { summary: operation, operation };
    start = main;
    operation = upperWord(tokens.at(main));
  }
  if (operation === 'CREATE' || operation === 'DROP' || operation === 'ALTER') {
    return summarizeDefinition(operation, tokens, start);
  }
  const target = readTarget(operation, tokens, start, first.depth);
  return { summary: target ? `${operation} ${target}` : operation, operation };
}

/** The summary of the first statement in `sql`; OTHER for anything it cannot read. Never throws. */
export function summarizeQuery(sql: string): QuerySummary {
  if (typeof sql !== 'string') return OTHER;
  try {
    return Object.freeze(summarizeTokens(new SqlTokens(sql)));
  } catch {
    return OTHER;
  }
}

/**
 * `summarizeQuery` memoised by SQL text, holding at most `maxEntries` texts and dropping the least recently
 * used first: SQL with inlined literals is one text per value, and must not grow memory without bound.
 */
export function createSummaryCache(maxEntries = 1000): SummaryCache {
  // NaN or Infinity would make the bound below never bite: such a cache holds nothing instead.
  const capacity = Number.isFinite(maxEntries) ? Math.max(0, Math.floor(maxEntries)) : 0;
  const cache = new Map<string, QuerySummary>();
  const summarize = (sql: string): QuerySummary => {
    if (typeof sql !== 'string' || sql.length > CACHEABLE_SQL_LENGTH || capacity === 0)
      return summarizeQuery(sql);
    const cached = cache.get(sql);
    if (cached) {
      cache.delete(sql);
      cache.set(sql, cached);
      return cached;
    }
    const computed = summarizeQuery(sql);
    if (cache.size >= capacity) {
      const oldest = cache.keys().next();
      if (!oldest.done) cache.delete(oldest.value);
    }
    cache.set(sql, computed);
    return computed;
  };
  return Object.defineProperty(summarize, 'size', { get: () => cache.size }) as SummaryCache;
}
