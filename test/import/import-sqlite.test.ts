// `pulse import-sqlite` on both databases, with legacy SQLite files this test writes itself (sql.js): the three
// timestamp formats and loosely typed amounts convert to the hand-written values, ids are kept and sequences
// moved past them; every malformed row aborts the import naming table, row id and column, leaving the target
// empty with sequences untouched; a database with users is refused unless --append, and colliding ids or
// emails are refused even then; the CLI end to end on the embedded database (exit codes, stderr, stdout).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { RefusedError } from '../../core/errors.ts';
import { ImportRowError } from '../../core/import/convert-row.ts';
import { importSqlite } from '../../core/import/import-sqlite.ts';
import { LegacyFileError, openLegacyFile } from '../../core/import/read-sqlite.ts';
import { parseLegacyTimestamp } from '../../core/import/timestamps.ts';
import { migrate } from '../../core/migrate.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { runCli } from '../support/run-cli.ts';

// Loose column types, as an old app left them: created_at and amount_cents keep text, integers and reals as
// inserted (no affinity), and pledges has an extra column the import ignores.
const legacySchema = `
  CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password_hash TEXT, name TEXT, created_at);
  CREATE TABLE artists (id INTEGER PRIMARY KEY, user_id INTEGER, name TEXT, created_at);
  CREATE TABLE pledges (id INTEGER PRIMARY KEY, user_id INTEGER, artist_id INTEGER, amount_cents,
                        created_at, cancelled_at, note TEXT);`;

const goodRows = `
  INSERT INTO users VALUES (3, 'ada@example.test', 'hash-a', 'Ada', '2023-01-15 10:00:00');
  INSERT INTO users VALUES (7, 'bo@example.test', 'hash-b', NULL, '2023-02-01T08:30:00.250Z');
  INSERT INTO users VALUES (12, 'cy@example.test', 'hash-c', 'Cy', 1677628800);
  INSERT INTO artists VALUES (2, 3, 'The Ada Band', '2023-01-20 12:00:00');
  INSERT INTO artists VALUES (5, NULL, 'Solo Act', '2023-02-02T09:00:00+02:00');
  INSERT INTO pledges VALUES (4, 7, 2, 500, '2023-02-03 00:00:00', NULL, 'x');
  INSERT INTO pledges VALUES (9, 7, 5, '1500', 1675987200, '2023-03-01 00:00:00', NULL);
  INSERT INTO pledges VALUES (10, 12, 2, 250.0, '2023-03-02T12:00:00Z', '1677758400', NULL);
  INSERT INTO pledges VALUES (11, 3, 5, '5.00', '2023-03-05 18:45:30', NULL, NULL);
  INSERT INTO pledges VALUES (20, 12, 5, 1999, 1678060800.5, NULL, NULL);`;

// The same rows as PostgreSQL must hold them, worked out by hand (epoch 1677628800 = 2023-03-01T00:00:00Z,
// 1675987200 = 2023-02-10T00:00:00Z, 1677758400 = 2023-03-02T12:00:00Z, 1678060800 = 2023-03-06T00:00:00Z).
const at = (iso: string) => new Date(iso);
const expectedUsers = [
  {
    id: 3,
    email: 'ada@example.test',
    password_hash: 'hash-a',
    name: 'Ada',
    created_at: at('2023-01-15T10:00:00Z'),
  },
  {
    id: 7,
    email: 'bo@example.test',
    password_hash: 'hash-b',
    name: null,
    created_at: at('2023-02-01T08:30:00.250Z'),
  },
  {
    id: 12,
    email: 'cy@example.test',
    password_hash: 'hash-c',
    name: 'Cy',
    created_at: at('2023-03-01T00:00:00Z'),
  },
];
const expectedArtists = [
  { id: 2, user_id: 3, name: 'The Ada Band', created_at: at('2023-01-20T12:00:00Z') },
  { id: 5, user_id: null, name: 'Solo Act', created_at: at('2023-02-02T07:00:00Z') },
];
const expectedPledges = [
  {
    id: 4,
    user_id: 7,
    artist_id: 2,
    amount_cents: 500,
    created_at: at('2023-02-03T00:00:00Z'),
    cancelled_at: null,
  },
  {
    id: 9,
    user_id: 7,
    artist_id: 5,
    amount_cents: 1500,
    created_at: at('2023-02-10T00:00:00Z'),
    cancelled_at: at('2023-03-01T00:00:00Z'),
  },
  {
    id: 10,
    user_id: 12,
    artist_id: 2,
    amount_cents: 250,
    created_at: at('2023-03-02T12:00:00Z'),
    cancelled_at: at('2023-03-02T12:00:00Z'),
  },
  {
    id: 11,
    user_id: 3,
    artist_id: 5,
    amount_cents: 5,
    created_at: at('2023-03-05T18:45:30Z'),
    cancelled_at: null,
  },
  {
    id: 20,
    user_id: 12,
    artist_id: 5,
    amount_cents: 1999,
    created_at: at('2023-03-06T00:00:00.500Z'),
    cancelled_at: null,
  },
];

const selectUsers = defineQuery(
  'test.importUsers',
  'SELECT id, email, password_hash, name, created_at FROM users ORDER BY id',
);
const selectArtists = defineQuery(
  'test.importArtists',
  'SELECT id, user_id, name, created_at FROM artists ORDER BY id',
);
const selectPledges = defineQuery(
  'test.importPledges',
  'SELECT id, user_id, artist_id, amount_cents, created_at, cancelled_at FROM pledges ORDER BY id',
);
const countRows = defineQuery<Record<string, never>, { users: number; artists: number; pledges: number }>(
  'test.importCounts',
  'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM artists) AS artists, (SELECT count(*) FROM pledges) AS pledges',
);
/** NULL while a sequence has never handed out (or been set to) a value. */
const sequenceValues = defineQuery<
  Record<string, never>,
  { users: number | null; artists: number | null; pledges: number | null }
>(
  'test.importSequences',
  `SELECT pg_sequence_last_value(pg_get_serial_sequence('users', 'id')::regclass) AS users,
          pg_sequence_last_value(pg_get_serial_sequence('artists', 'id')::regclass) AS artists,
          pg_sequence_last_value(pg_get_serial_sequence('pledges', 'id')::regclass) AS pledges`,
);
const insertUser = defineQuery<{ email: string }, { id: number }>(
  'test.importInsertUser',
  "INSERT INTO users (email, password_hash) VALUES (:email, 'h') RETURNING id",
);
const insertArtist = defineQuery<Record<string, never>, { id: number }>(
  'test.importInsertArtist',
  "INSERT INTO artists (name) VALUES ('new') RETURNING id",
);
const insertPledge = defineQuery<{ userId: number; artistId: number }, { id: number }>(
  'test.importInsertPledge',
  'INSERT INTO pledges (user_id, artist_id, amount_cents) VALUES (:userId, :artistId, 100) RETURNING id',
);

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pulse-import-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

let fileCounter = 0;
/** Writes a SQLite file from SQL run by sql.js and returns its path. */
async function legacyFile(sql: string): Promise<string> {
  const SQL = await initSqlJs();
  const database = new SQL.Database();
  database.exec(sql);
  const path = join(workDir, `legacy-${++fileCounter}.sqlite`);
  await writeFile(path, database.export());
  database.close();
  return path;
}

async function importFile(db: Db, path: string, append = false) {
  const file = await openLegacyFile(path);
  try {
    return await importSqlite(db, file, { append });
  } finally {
    file.close();
  }
}

async function importError(db: Db, path: string, append = false): Promise<Error> {
  const error = await importFile(db, path, append).then(
    () => new Error('the import succeeded'),
    (caught: unknown) => caught as Error,
  );
  return error;
}

describe('legacy timestamps', () => {
  it('converts SQLite text, ISO-8601 and epoch seconds to one UTC form, keeping microseconds', () => {
    expect(parseLegacyTimestamp('2023-01-15 10:00:00')).toBe('2023-01-15T10:00:00.000000Z');
    expect(parseLegacyTimestamp('2023-01-15T10:00:00.123456-05:30')).toBe('2023-01-15T15:30:00.123456Z');
    expect(parseLegacyTimestamp('2023-01-15')).toBe('2023-01-15T00:00:00.000000Z');
    expect(parseLegacyTimestamp(1678060800.5)).toBe('2023-03-06T00:00:00.500000Z');
    expect(parseLegacyTimestamp('1677628800')).toBe('2023-03-01T00:00:00.000000Z');
  });

  it('refuses what is not a timestamp, an impossible date, and epoch milliseconds', () => {
    expect(() => parseLegacyTimestamp('yesterday')).toThrow(/not a timestamp/);
    expect(() => parseLegacyTimestamp('2023-02-29 10:00:00')).toThrow(/not a valid date/);
    expect(() => parseLegacyTimestamp('2023-01-01 24:00:00')).toThrow(/not a valid date/);
    expect(() => parseLegacyTimestamp(1_677_628_800_000)).toThrow(/out of range/);
  });
});

describeEachDatabase('import-sqlite', ({ db, fresh }) => {
  beforeAll(async () => {
    await migrate(db());
  });

  it('imports every row with converted values and kept ids, then hands out ids past them', async () => {
    const target = await fresh();
    await migrate(target);
    const summary = await importFile(target, await legacyFile(legacySchema + goodRows));

    expect(summary.imported).toEqual({ users: 3, artists: 2, pledges: 5 });
    expect(await target.query(selectUsers, {})).toEqual(expectedUsers);
    expect(await target.query(selectArtists, {})).toEqual(expectedArtists);
    expect(await target.query(selectPledges, {})).toEqual(expectedPledges);
    expect((await target.query(insertUser, { email: 'new@example.test' }))[0]?.id).toBe(13);
    expect((await target.query(insertArtist, {}))[0]?.id).toBe(6);
    expect((await target.query(insertPledge, { userId: 13, artistId: 6 }))[0]?.id).toBe(21);
  });

  const malformed: [string, string, RegExp][] = [
    [
      'a bad timestamp',
      "UPDATE users SET created_at = 'yesterday' WHERE id = 7",
      /^users row id 7: created_at: "yesterday" is not a timestamp/,
    ],
    [
      'an impossible date',
      "UPDATE artists SET created_at = '2023-02-30 10:00:00' WHERE id = 5",
      /^artists row id 5: created_at: .* not a valid date/,
    ],
    [
      'a negative amount',
      'UPDATE pledges SET amount_cents = -500 WHERE id = 9',
      /^pledges row id 9: amount_cents: -500 is not positive/,
    ],
    [
      'fractional cents',
      'UPDATE pledges SET amount_cents = 5.5 WHERE id = 11',
      /^pledges row id 11: amount_cents: 5.5 has fractional cents/,
    ],
    [
      'a pledge of a missing user',
      'UPDATE pledges SET user_id = 99 WHERE id = 20',
      /^pledges row id 20: user_id: refers to users id 99, which the file does not have/,
    ],
    [
      'a pledge of a missing artist',
      'UPDATE pledges SET artist_id = 8 WHERE id = 10',
      /^pledges row id 10: artist_id: refers to artists id 8/,
    ],
    [
      'cancelled before created',
      "UPDATE pledges SET cancelled_at = '2023-02-01 00:00:00' WHERE id = 4",
      /^pledges row id 4: cancelled_at: 2023-02-01T00:00:00.000000Z is before created_at/,
    ],
    ['an empty email', "UPDATE users SET email = '  ' WHERE id = 12", /^users row id 12: email: is empty/],
    [
      'a duplicate email',
      "UPDATE users SET email = 'ada@example.test' WHERE id = 7",
      /^users row id 7: email: same email as users row id 3/,
    ],
    [
      'a missing password hash',
      'UPDATE users SET password_hash = NULL WHERE id = 3',
      /^users row id 3: password_hash: missing \(NULL\)/,
    ],
  ];

  it.each(malformed)(
    'aborts on %s, naming table, row id and column, and leaves the target empty',
    async (_case, change, message) => {
      const error = await importError(db(), await legacyFile(`${legacySchema}${goodRows}${change};`));
      expect(error).toBeInstanceOf(ImportRowError);
      expect(error.message).toMatch(message);
      expect(await db().query(countRows, {})).toEqual([{ users: 0, artists: 0, pledges: 0 }]);
    },
  );

  it('refuses a file without a table or column it needs, before writing anything', async () => {
    const noColumn = legacySchema.replace('created_at, cancelled_at, note', 'created_at, note');
    const error = await importError(db(), await legacyFile(noColumn));
    expect(error).toBeInstanceOf(LegacyFileError);
    expect(error.message).toMatch(/table "pledges" lacks the column\(s\) cancelled_at/);
  });

  it('left every sequence untouched after the failed imports', async () => {
    expect(await db().query(sequenceValues, {})).toEqual([{ users: null, artists: null, pledges: null }]);
    expect(await db().query(countRows, {})).toEqual([{ users: 0, artists: 0, pledges: 0 }]);
  });

  it('refuses a database with users unless appending, and refuses colliding ids or emails even then', async () => {
    const target = await fresh();
    await migrate(target);
    const existing = (await target.query(insertUser, { email: 'old@example.test' }))[0]?.id;
    expect(existing).toBe(1);
    const good = await legacyFile(legacySchema + goodRows);

    const refused = await importError(target, good);
    expect(refused).toBeInstanceOf(RefusedError);
    expect(refused.message).toMatch(/already has 1 users; pass --append/);

    const idClash = await legacyFile(`${legacySchema}${goodRows}UPDATE users SET id = 1 WHERE id = 12;`);
    expect((await importError(target, idClash, true)).message).toMatch(/^users row id 1: id: already exists/);
    const emailClash = await legacyFile(
      `${legacySchema}${goodRows}UPDATE users SET email = 'old@example.test' WHERE id = 7;`,
    );
    expect((await importError(target, emailClash, true)).message).toMatch(
      /^users row id 7: email: already belongs/,
    );
    expect(await target.query(countRows, {})).toEqual([{ users: 1, artists: 0, pledges: 0 }]);

    const summary = await importFile(target, good, true);
    expect(summary.imported).toEqual({ users: 3, artists: 2, pledges: 5 });
    expect(await target.query(countRows, {})).toEqual([{ users: 4, artists: 2, pledges: 5 }]);
    expect(await target.query(selectPledges, {})).toEqual(expectedPledges);
    expect((await target.query(insertUser, { email: 'next@example.test' }))[0]?.id).toBe(13);
  });
});

describe('pulse import-sqlite (CLI, embedded database)', () => {
  let dataDir = '';
  let env: Record<string, string> = {};
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pulse-import-cli-'));
    env = { PULSE_DATA_DIR: dataDir };
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exits 2 on usage errors and a missing file, 1 on a file that is not SQLite', async () => {
    const noArgument = await runCli(['import-sqlite'], env);
    expect(noArgument.code).toBe(2);
    expect(noArgument.stderr).toMatch(/missing required argument 'file'/);

    const missing = await runCli(['import-sqlite', join(workDir, 'nope.sqlite')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^pulse: cannot read the SQLite file .*nope\.sqlite: no such file\n$/);

    const notSqlite = join(workDir, 'not-sqlite.txt');
    await writeFile(notSqlite, 'id,email\n1,a@example.test\n');
    const corrupt = await runCli(['import-sqlite', notSqlite], env);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/is not a SQLite database/);
  }, 30_000);

  it('imports with a summary on stdout (no progress bar for a small file), then refuses a second run without --append', async () => {
    const bad = await legacyFile(
      `${legacySchema}${goodRows}UPDATE pledges SET amount_cents = 5.5 WHERE id = 11;`,
    );
    const failed = await runCli(['import-sqlite', bad], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toMatch(
      /^pulse: failed: pledges row id 11: amount_cents: 5.5 has fractional cents; .* — nothing was imported$/,
    );

    const good = await legacyFile(legacySchema + goodRows);
    const done = await runCli(['import-sqlite', good], env);
    expect(done.code).toBe(0);
    expect(done.stderr).not.toContain('rows');
    expect(done.stdout).toMatch(
      /^Imported 3 users, 2 artists and 5 pledges into embedded database \(.*\) in [\d.]+ s/,
    );

    const again = await runCli(['import-sqlite', good], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^pulse: refused: the database already has 3 users; pass --append/);

    const appended = await runCli(['import-sqlite', good, '--append'], env);
    expect(appended.code).toBe(1);
    expect(appended.stderr).toMatch(/^pulse: failed: users row id 3: id: already exists in the database/);
  }, 90_000);
});
