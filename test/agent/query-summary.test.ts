// db.query.summary from SQL text: a table of the SQL a legacy Express + sqlite3 app and a pg app send, the
// literals and comments that must never reach the summary, random values inlined into one shape (one summary),
// the bounded cache, and 100 kB inputs that must stay linear.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSummaryCache, summarizeQuery } from '../../agent/drop-in/query-summary.ts';

interface Case {
  readonly sql: string;
  readonly summary: string;
  /** Defaults to the summary's first word. */
  readonly operation?: string;
}

const legacySqlite: Case[] = [
  { sql: 'INSERT INTO users (name, email, password) VALUES (?, ?, ?)', summary: 'INSERT users' },
  { sql: 'SELECT * FROM users WHERE email = ?', summary: 'SELECT users' },
  {
    sql: 'SELECT p.*, a.name FROM pledges p JOIN artists a ON a.id = p.artist_id WHERE p.user_id = ?',
    summary: 'SELECT pledges',
  },
  {
    sql: 'UPDATE artists SET pledged = pledged + ?, supporters = supporters + 1 WHERE id = ?',
    summary: 'UPDATE artists',
  },
  { sql: "UPDATE pledges SET status = 'cancelled' WHERE id = ? AND user_id = ?", summary: 'UPDATE pledges' },
  { sql: 'SELECT id, name, pledged FROM artists ORDER BY pledged DESC LIMIT 10', summary: 'SELECT artists' },
  { sql: 'SELECT COUNT(*) AS n FROM pledges WHERE artist_id = ?', summary: 'SELECT pledges' },
  { sql: "INSERT OR IGNORE INTO artists (id, name) VALUES (1, 'Ana')", summary: 'INSERT artists' },
  { sql: "REPLACE INTO settings (key, value) VALUES ('theme', 'dark')", summary: 'REPLACE settings' },
  { sql: 'UPDATE OR REPLACE users SET email = ? WHERE id = ?', summary: 'UPDATE users' },
  { sql: 'select * from Users where id = ?', summary: 'SELECT Users' },
  { sql: 'SELECT * FROM [pledges] WHERE id = :id', summary: 'SELECT pledges' },
  { sql: 'SELECT * FROM `artists` WHERE id = @id', summary: 'SELECT artists' },
  { sql: 'SELECT * FROM [order items] WHERE id = ?', summary: 'SELECT' },
  { sql: 'DELETE FROM sessions WHERE expires_at < ?', summary: 'DELETE sessions' },
  { sql: 'PRAGMA journal_mode = WAL', summary: 'PRAGMA journal_mode' },
  { sql: 'PRAGMA foreign_keys = ON', summary: 'PRAGMA foreign_keys' },
  { sql: "PRAGMA table_info('users')", summary: 'PRAGMA table_info' },
  { sql: "PRAGMA key = 'correct horse battery staple'", summary: 'PRAGMA key' },
  { sql: 'BEGIN IMMEDIATE TRANSACTION', summary: 'BEGIN' },
  { sql: 'COMMIT', summary: 'COMMIT' },
  { sql: 'SAVEPOINT pledge_7', summary: 'SAVEPOINT' },
  { sql: 'RELEASE SAVEPOINT pledge_7', summary: 'RELEASE' },
  { sql: 'ROLLBACK TO SAVEPOINT pledge_7', summary: 'ROLLBACK' },
  {
    sql: 'CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)',
    summary: 'CREATE TABLE users',
  },
  {
    sql: 'CREATE UNIQUE INDEX IF NOT EXISTS idx_pledges_user ON pledges (user_id)',
    summary: 'CREATE INDEX idx_pledges_user',
  },
  { sql: 'CREATE TEMP TABLE scratch AS SELECT * FROM pledges', summary: 'CREATE TABLE scratch' },
  { sql: 'CREATE VIRTUAL TABLE search USING fts5(name)', summary: 'CREATE TABLE search' },
  { sql: 'DROP TABLE IF EXISTS sessions', summary: 'DROP TABLE sessions' },
  { sql: "ALTER TABLE pledges ADD COLUMN note TEXT DEFAULT 'none'", summary: 'ALTER TABLE pledges' },
  { sql: 'VACUUM', summary: 'VACUUM' },
];

const postgres: Case[] = [
  { sql: 'DELETE FROM sessions WHERE token_hash = $1', summary: 'DELETE sessions' },
  { sql: 'SELECT * FROM public.users WHERE id = $1', summary: 'SELECT public.users' },
  { sql: 'SELECT * FROM "public"."Users" WHERE id = $1', summary: 'SELECT public.Users' },
  { sql: 'SELECT * FROM "user data" WHERE id = $1', summary: 'SELECT' },
  { sql: 'SELECT * FROM catalog.public.users', summary: 'SELECT' },
  {
    sql: 'INSERT INTO pledges (user_id, artist_id, amount_cents) VALUES ($1, $2, $3) RETURNING id',
    summary: 'INSERT pledges',
  },
  {
    sql: 'INSERT INTO sessions (token_hash, user_id) VALUES ($1, $2) ON CONFLICT (token_hash) DO UPDATE SET user_id = EXCLUDED.user_id',
    summary: 'INSERT sessions',
  },
  { sql: 'WITH x AS (SELECT 1) UPDATE pledges SET status = $1 WHERE id = $2', summary: 'UPDATE pledges' },
  {
    sql: "WITH RECURSIVE months(m) AS (SELECT now() UNION ALL SELECT m - interval '1 month' FROM months) SELECT m FROM months",
    summary: 'SELECT months',
  },
  {
    sql: "WITH moved AS (DELETE FROM pledges WHERE status = 'cancelled' RETURNING *) INSERT INTO pledges_archive SELECT * FROM moved",
    summary: 'INSERT pledges_archive',
  },
  { sql: 'WITH totals AS MATERIALIZED (SELECT 1)', summary: 'WITH' },
  {
    sql: 'SELECT * FROM (SELECT artist_id, sum(amount_cents) AS total FROM pledges GROUP BY 1) t ORDER BY total',
    summary: 'SELECT pledges',
  },
  { sql: 'SELECT * FROM ((SELECT id FROM artists)) a', summary: 'SELECT artists' },
  { sql: 'SELECT * FROM (VALUES (1), (2)) AS v(n)', summary: 'SELECT' },
  { sql: 'SELECT * FROM generate_series(1, 10) AS s(i)', summary: 'SELECT' },
  { sql: 'SELECT * FROM $1', summary: 'SELECT' },
  { sql: 'SELECT 1', summary: 'SELECT' },
  { sql: 'SELECT now()', summary: 'SELECT' },
  {
    sql: 'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM artists) AS artists',
    summary: 'SELECT',
  },
  {
    sql: 'SELECT extract(year FROM created_at) AS y, count(*) FROM pledges GROUP BY 1',
    summary: 'SELECT pledges',
  },
  { sql: 'SELECT a IS DISTINCT FROM b AS changed FROM pairs', summary: 'SELECT pairs' },
  { sql: '(SELECT id FROM users) UNION (SELECT id FROM artists)', summary: 'SELECT users' },
  { sql: 'DELETE FROM ONLY sessions WHERE expires_at < now()', summary: 'DELETE sessions' },
  {
    sql: 'MERGE INTO artists t USING staging s ON t.id = s.id WHEN MATCHED THEN UPDATE SET name = s.name',
    summary: 'MERGE artists',
  },
  { sql: 'COPY pledges (id, amount_cents) FROM STDIN WITH (FORMAT csv)', summary: 'COPY pledges' },
  { sql: 'COPY (SELECT * FROM pledges WHERE amount_cents > 100) TO STDOUT', summary: 'COPY pledges' },
  { sql: 'TRUNCATE TABLE ONLY pledges RESTART IDENTITY', summary: 'TRUNCATE pledges' },
  { sql: 'CREATE INDEX CONCURRENTLY ON pledges (artist_id)', summary: 'CREATE INDEX' },
  {
    sql: 'CREATE OR REPLACE MATERIALIZED VIEW pulse.artist_totals AS SELECT 1',
    summary: 'CREATE VIEW pulse.artist_totals',
  },
  {
    sql: 'CREATE FUNCTION touch(id int) RETURNS void AS $$ SELECT 1 $$ LANGUAGE sql',
    summary: 'CREATE FUNCTION touch',
  },
  { sql: "CREATE USER alice WITH PASSWORD 'hunter2'", summary: 'CREATE USER' },
  { sql: 'DROP INDEX IF EXISTS idx_pledges_user', summary: 'DROP INDEX idx_pledges_user' },
  { sql: 'CREATE AGGREGATE my_sum (int) (sfunc = int4pl, stype = int)', summary: 'CREATE' },
  { sql: "SET search_path TO pulse, 'public'", summary: 'SET' },
  { sql: 'SHOW server_version', summary: 'SHOW' },
  { sql: 'EXPLAIN ANALYZE SELECT * FROM pledges', summary: 'EXPLAIN' },
  { sql: 'LISTEN pledge_created', summary: 'LISTEN' },
  { sql: "NOTIFY pledge_created, 'alice paid 5'", summary: 'NOTIFY' },
  { sql: 'CALL refresh_totals($1)', summary: 'CALL' },
  { sql: 'START TRANSACTION ISOLATION LEVEL SERIALIZABLE', summary: 'START' },
  { sql: "VALUES (1, 'a'), (2, 'b')", summary: 'VALUES' },
];

const commentsAndLiterals: Case[] = [
  { sql: '/* FROM secrets */ SELECT 1 FROM users', summary: 'SELECT users' },
  { sql: '-- SELECT * FROM secrets\nSELECT * FROM users', summary: 'SELECT users' },
  { sql: 'SELECT /* FROM hidden */ * -- FROM other\n FROM users', summary: 'SELECT users' },
  {
    sql: '/* outer /* nested FROM secrets */ still a comment */ DELETE FROM sessions',
    summary: 'DELETE sessions',
  },
  { sql: "SELECT * FROM users WHERE name = 'x FROM evil; DROP TABLE y'", summary: 'SELECT users' },
  { sql: "SELECT 'it''s; FROM evil' AS q FROM users", summary: 'SELECT users' },
  { sql: "SELECT E'it\\'s FROM evil' AS q FROM users", summary: 'SELECT users' },
  { sql: "SELECT X'DEADBEEF' AS blob FROM users", summary: 'SELECT users' },
  { sql: 'SELECT $tag$ FROM evil; $tag$ AS q FROM users', summary: 'SELECT users' },
  { sql: 'SELECT $$ FROM evil $$ AS q FROM users', summary: 'SELECT users' },
  { sql: 'DO $$ BEGIN DELETE FROM secrets; END $$', summary: 'DO' },
  { sql: 'SELECT "FROM" FROM users', summary: 'SELECT users' },
  { sql: "SELECT arr['x]'] FROM users", summary: 'SELECT users' },
  { sql: "SELECT * FROM users WHERE email = 'alice@example.com'", summary: 'SELECT users' },
  { sql: 'UPDATE users SET email = "alice@example.com" WHERE id = 7', summary: 'UPDATE users' },
  { sql: 'SELECT 1; DROP TABLE users', summary: 'SELECT' },
  { sql: ';; SELECT * FROM users', summary: 'SELECT users' },
  { sql: '\uFEFFSELECT * FROM users', summary: 'SELECT users' },
];

const garbage: Case[] = [
  { sql: '', summary: 'OTHER' },
  { sql: ' \n\t ', summary: 'OTHER' },
  { sql: '-- only a comment', summary: 'OTHER' },
  { sql: '/* never closed SELECT * FROM users', summary: 'OTHER' },
  { sql: "'unterminated FROM users", summary: 'OTHER' },
  { sql: 'hello world', summary: 'OTHER' },
  { sql: ')))(((', summary: 'OTHER' },
  { sql: '123 FROM users', summary: 'OTHER' },
  { sql: 'GRANT SELECT ON users TO bob', summary: 'OTHER' },
  { sql: 'SELECT * FROM', summary: 'SELECT' },
  { sql: 'SELECT * FROM "unterminated', summary: 'SELECT' },
  { sql: `SELECT * FROM ${'t'.repeat(64)}`, summary: 'SELECT' },
];

function check({ sql, summary, operation }: Case): void {
  expect(summarizeQuery(sql)).toEqual({ summary, operation: operation ?? (summary.split(' ')[0] as string) });
}

describe('summarizeQuery', () => {
  it.each(legacySqlite)('summarizes legacy sqlite3 SQL $sql as $summary', check);
  it.each(postgres)('summarizes PostgreSQL SQL $sql as $summary', check);
  it.each(commentsAndLiterals)('summarizes $sql as $summary whatever its comments and literals say', check);
  it.each(garbage)('summarizes malformed SQL $sql as $summary without throwing', check);

  it('summarizes a CTE by its main statement, operation included', () => {
    expect(summarizeQuery('WITH x AS (SELECT 1) UPDATE pledges SET status = $1')).toEqual({
      summary: 'UPDATE pledges',
      operation: 'UPDATE',
    });
  });

  it('reports a definition by its keyword alone as the operation', () => {
    expect(summarizeQuery('CREATE TABLE users (id int)')).toEqual({
      summary: 'CREATE TABLE users',
      operation: 'CREATE',
    });
  });

  it('summarizes anything that is not a string as OTHER without throwing', () => {
    for (const input of [undefined, null, 42, {}, { text: 'SELECT 1' }, ['SELECT 1'], Symbol('sql')]) {
      expect(summarizeQuery(input as unknown as string)).toEqual({ summary: 'OTHER', operation: 'OTHER' });
    }
  });

  it('keeps no inlined value in the summary of SQL that carries personal data', () => {
    const secrets = ['alice', 'example.com', 'hunter2', '4242', 'Brien'];
    const statements = [
      "SELECT * FROM users WHERE email = 'alice@example.com' AND pin = 4242",
      "INSERT INTO users (name, password) VALUES ('alice', 'hunter2')",
      "UPDATE users SET name = 'O''Brien' WHERE email = 'alice@example.com'",
      "SELECT 'alice' AS who, 4242 AS pin FROM users",
      "CREATE USER alice WITH PASSWORD 'hunter2'",
      "PRAGMA key = 'hunter2'",
      "NOTIFY pledges, 'alice 4242'",
    ];
    for (const sql of statements) {
      const { summary } = summarizeQuery(sql);
      for (const secret of secrets) expect(summary).not.toContain(secret);
    }
  });
});

describe('summarizeQuery over inlined random values', () => {
  const sqlFragments = fc.constantFrom(
    "'",
    ';',
    ' FROM evil ',
    '--',
    '/*',
    '*/',
    '$$',
    '"',
    '\\',
    '(',
    ')',
    'alice',
  );
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: sqlFragments, maxLength: 12 }),
    fc.emailAddress(),
  );
  const samples = fc.sample(fc.tuple(value, fc.integer()), { numRuns: 2000, seed: 20_260_101 });

  const shapes: [string, (text: string, number: number) => string, string][] = [
    [
      'a WHERE clause',
      (text, number) =>
        `SELECT * FROM users WHERE email = '${text.replaceAll("'", "''")}' AND id = ${number}`,
      'SELECT users',
    ],
    [
      'a column list before FROM',
      (text, number) => `SELECT '${text.replaceAll("'", "''")}' AS note, ${number} AS n FROM pledges`,
      'SELECT pledges',
    ],
    [
      'an escape string before FROM',
      (text, number) =>
        `SELECT E'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}' AS note, ${number} FROM pledges`,
      'SELECT pledges',
    ],
  ];

  it.each(shapes)(
    'gives one summary, holding none of the values, for 2,000 values inlined into %s',
    (_, build, expected) => {
      const summaries = new Set<string>();
      for (const [text, number] of samples) {
        const { summary } = summarizeQuery(build(text, number));
        summaries.add(summary);
        // A value that is itself a piece of the expected summary ('SE', 'users') cannot tell anything apart.
        if (!expected.includes(text)) expect(summary).not.toContain(text);
        expect(summary).not.toContain(String(number));
      }
      expect([...summaries]).toEqual([expected]);
    },
  );
});

describe('createSummaryCache', () => {
  it('returns the same summary object for a repeated SQL text', () => {
    const summarize = createSummaryCache();
    const first = summarize('SELECT * FROM users WHERE id = $1');
    expect(summarize('SELECT * FROM users WHERE id = $1')).toBe(first);
    expect(first).toEqual({ summary: 'SELECT users', operation: 'SELECT' });
  });

  it('never holds more than its maximum entries when every call inlines a new value', () => {
    const summarize = createSummaryCache(50);
    for (let id = 0; id < 2000; id++) {
      summarize(`SELECT * FROM users WHERE id = ${id}`);
      expect(summarize.size).toBeLessThanOrEqual(50);
    }
    expect(summarize.size).toBe(50);
  });

  it('drops the least recently used SQL first when full', () => {
    const summarize = createSummaryCache(2);
    const hot = summarize('SELECT * FROM users');
    summarize('SELECT * FROM artists');
    summarize('SELECT * FROM users');
    summarize('SELECT * FROM pledges');
    expect(summarize('SELECT * FROM users')).toBe(hot);
    expect(summarize.size).toBe(2);
  });

  it('summarizes SQL longer than 4 kB without holding it', () => {
    const summarize = createSummaryCache();
    const bulk = `INSERT INTO pledges (note) VALUES ${Array.from({ length: 500 }, (_, i) => `('n${i}')`).join(', ')}`;
    expect(summarize(bulk).summary).toBe('INSERT pledges');
    expect(summarize.size).toBe(0);
  });

  it('holds nothing, and still answers, when its maximum is not a positive number', () => {
    for (const max of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const summarize = createSummaryCache(max);
      expect(summarize('SELECT * FROM users').summary).toBe('SELECT users');
      expect(summarize.size).toBe(0);
    }
  });

  it('answers OTHER for a non-string without holding it', () => {
    const summarize = createSummaryCache();
    expect(summarize(7 as unknown as string)).toEqual({ summary: 'OTHER', operation: 'OTHER' });
    expect(summarize.size).toBe(0);
  });
});

describe('summarizeQuery on 100 kB inputs', () => {
  const size = 100_000;
  const inputs: [string, string, string][] = [
    ['open parentheses', `SELECT ${'('.repeat(size)}`, 'SELECT'],
    ['unclosed brackets', `SELECT ${'['.repeat(size)} FROM users`, 'SELECT users'],
    ['a long column list', `SELECT ${'a, '.repeat(size / 3)}b FROM users`, 'SELECT users'],
    ['nested subqueries', `SELECT * FROM ${'(SELECT * FROM '.repeat(size / 15)}users`, 'SELECT users'],
    ['comment openers', `/*${'/*'.repeat(size / 2)} SELECT`, 'OTHER'],
    ['dollar signs', `SELECT ${'$a'.repeat(size / 2)} FROM users`, 'SELECT users'],
    ['an unterminated literal', `SELECT '${"x''".repeat(size / 3)} FROM users`, 'SELECT'],
    ['a long dotted name', `SELECT * FROM ${'a.'.repeat(size / 2)}b`, 'SELECT'],
    [
      'a bulk insert',
      `INSERT INTO pledges VALUES ${"(1, 'x'), ".repeat(size / 10)}(2, 'y')`,
      'INSERT pledges',
    ],
  ];

  it.each(inputs)('summarizes %s in linear time', (_, sql, expected) => {
    const started = performance.now();
    expect(summarizeQuery(sql).summary).toBe(expected);
    expect(performance.now() - started).toBeLessThan(250);
  });
});
