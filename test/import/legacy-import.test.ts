// `pulse import-sqlite` on files written exactly as the current Pledgr app writes them
// (support/legacy-file.ts: its DDL, bcryptjs hashes at cost 4 for speed, dollars as the browser sends them,
// status-only cancels), on both databases: every imported row equals hand-computed values (cents, timestamps, creator flags, levels, emails,
// cancel provenance); each kind of bad row aborts the import naming table, id and column, leaving the target
// empty; skipInvalid imports the rest and reports every skipped row; the warnings are counted.
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import {
  type BadRow,
  BadRowsError,
  importPledgr,
  type PledgrImportOptions,
} from '../../core/import/import-pledgr.ts';
import { openSqliteImportFile } from '../../core/import/open-sqlite-file.ts';
import { migrate } from '../../core/migrate.ts';
import { verifyPassword } from '../../core/password.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { LegacyPledgrFile } from '../support/legacy-file.ts';
import { runCli } from '../support/run-cli.ts';

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pulse-legacy-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const estimate = new Date('2024-06-01T00:00:00Z');
let fileCounter = 0;

/** The small file every test starts from; `change` edits it afterwards (bad rows). */
async function smallFile(change?: (file: LegacyPledgrFile) => void): Promise<string> {
  const file = await LegacyPledgrFile.create({ bcryptCost: 4 });
  const ada = file.register({
    name: 'Ada',
    email: 'Ada@Example.test',
    password: 'secret-ada',
    createdAt: new Date('2023-01-10T09:00:00Z'),
  });
  const ada2 = file.register({
    name: 'ada two',
    email: 'ada@example.test',
    password: 'secret-ada2',
    createdAt: new Date('2023-01-12T00:00:00Z'),
  });
  const bo = file.register({
    name: 'Bo',
    email: 'Bo@Example.test',
    password: 'secret-bo',
    createdAt: '2023-01-15 18:30:05',
  });
  const band = file.createArtist({
    userId: ada,
    name: 'The Ada Band',
    createdAt: new Date('2023-01-11T00:00:00Z'),
  });
  const orphan = file.createArtist({
    userId: 99,
    name: 'Nobody',
    createdAt: new Date('2023-01-20T00:00:00Z'),
  });
  const gold = file.addLevel({ artistId: band, name: 'Gold', amount: 12.5 });
  file.pledge({
    userId: ada2,
    artistId: band,
    amount: 5,
    levelId: gold,
    createdAt: new Date('2023-02-01T10:00:00Z'),
  });
  const cancelled = file.pledge({
    userId: bo,
    artistId: band,
    amount: '12.50',
    levelId: 7,
    createdAt: new Date('2023-02-02T00:00:00Z'),
  });
  file.cancel(cancelled);
  file.cancel(cancelled);
  file.pledge({
    userId: ada2,
    artistId: orphan,
    amount: 0.1 + 0.2,
    createdAt: new Date('2023-03-01T00:00:00Z'),
  });
  const completed = file.pledge({
    userId: bo,
    artistId: orphan,
    amount: 10,
    createdAt: new Date('2023-03-02T00:00:00Z'),
  });
  file.exec("UPDATE pledges SET status = 'completed' WHERE id = ?", [completed]);
  change?.(file);
  const path = await file.save(join(workDir, `pledgr-${++fileCounter}.db`));
  file.close();
  return path;
}

const at = (iso: string) => new Date(iso);
const expectedUsers = [
  {
    id: 1,
    email: 'Ada@Example.test',
    name: 'Ada',
    is_creator: true,
    created_at: at('2023-01-10T09:00:00Z'),
    legacy_email: 'Ada@Example.test',
  },
  {
    id: 2,
    email: 'ada@example.test',
    name: 'ada two',
    is_creator: false,
    created_at: at('2023-01-12T00:00:00Z'),
    legacy_email: 'ada@example.test',
  },
  {
    id: 3,
    email: 'bo@example.test',
    name: 'Bo',
    is_creator: false,
    created_at: at('2023-01-15T18:30:05Z'),
    legacy_email: 'Bo@Example.test',
  },
];
const expectedArtists = [
  { id: 1, user_id: 1, name: 'The Ada Band', created_at: at('2023-01-11T00:00:00Z') },
  { id: 2, user_id: null, name: 'Nobody', created_at: at('2023-01-20T00:00:00Z') },
];
const expectedLevels = [
  { id: 1, artist_id: 1, name: 'Gold', amount_cents: 1250, description: 'Gold tier', benefits: null },
];
const expectedPledges = [
  {
    id: 1,
    user_id: 2,
    artist_id: 1,
    level_id: 1,
    amount_cents: 500,
    created_at: at('2023-02-01T10:00:00Z'),
    cancelled_at: null,
    cancelled_at_source: null,
  },
  {
    id: 2,
    user_id: 3,
    artist_id: 1,
    level_id: null,
    amount_cents: 1250,
    created_at: at('2023-02-02T00:00:00Z'),
    cancelled_at: estimate,
    cancelled_at_source: 'estimated_import',
  },
  {
    id: 3,
    user_id: 2,
    artist_id: 2,
    level_id: null,
    amount_cents: 30,
    created_at: at('2023-03-01T00:00:00Z'),
    cancelled_at: null,
    cancelled_at_source: null,
  },
  {
    id: 4,
    user_id: 3,
    artist_id: 2,
    level_id: null,
    amount_cents: 1000,
    created_at: at('2023-03-02T00:00:00Z'),
    cancelled_at: estimate,
    cancelled_at_source: 'estimated_import',
  },
];

const selectUsers = defineQuery(
  'test.legacyUsers',
  'SELECT id, email, name, is_creator, created_at, legacy_email FROM users ORDER BY id',
);
const selectHashes = defineQuery<Record<string, never>, { id: number; password_hash: string }>(
  'test.legacyHashes',
  'SELECT id, password_hash FROM users ORDER BY id',
);
const selectArtists = defineQuery(
  'test.legacyArtists',
  'SELECT id, user_id, name, created_at FROM artists ORDER BY id',
);
const selectLevels = defineQuery(
  'test.legacyLevels',
  'SELECT id, artist_id, name, amount_cents, description, benefits FROM pledge_levels ORDER BY id',
);
const selectPledges = defineQuery(
  'test.legacyPledges',
  'SELECT id, user_id, artist_id, level_id, amount_cents, created_at, cancelled_at, cancelled_at_source FROM pledges ORDER BY id',
);
const countRows = defineQuery<Record<string, never>, Record<string, number>>(
  'test.legacyCounts',
  'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM artists) AS artists, (SELECT count(*) FROM pledge_levels) AS levels, (SELECT count(*) FROM pledges) AS pledges',
);
const nextPledgeId = defineQuery<Record<string, never>, { id: number }>(
  'test.legacyNextPledge',
  'INSERT INTO pledges (user_id, artist_id, amount_cents) VALUES (1, 1, 100) RETURNING id',
);
const cancelPledge = defineQuery<{ id: number }, { source: string }>(
  'test.legacyCancel',
  'UPDATE pledges SET cancelled_at = now() WHERE id = :id RETURNING cancelled_at_source AS source',
);

async function runImport(db: Db, path: string, options: Partial<PledgrImportOptions> = {}) {
  const opened = await openSqliteImportFile(path);
  if (opened.shape !== 'pledgr') throw new Error(`expected the Pledgr app's shape, got ${opened.shape}`);
  const bad: BadRow[] = [];
  try {
    const summary = await importPledgr(db, opened.file, {
      append: false,
      skipInvalid: false,
      cancelEstimate: estimate,
      onBadRow: (row) => bad.push(row),
      ...options,
    });
    return { summary, bad };
  } finally {
    opened.file.close();
  }
}

type BadCase = [string, (file: LegacyPledgrFile) => void, Omit<BadRow, 'problem'>, RegExp];
const badCases: BadCase[] = [
  [
    'an amount stored as text',
    (f) => f.pledge({ userId: 1, artistId: 1, amount: '5 dollars' }),
    { table: 'pledges', id: '5', column: 'amount' },
    /"5 dollars" is stored as text/,
  ],
  [
    'a zero amount',
    (f) => f.pledge({ userId: 1, artistId: 1, amount: '0' }),
    { table: 'pledges', id: '5', column: 'amount' },
    /0 is not positive/,
  ],
  [
    'a negative amount',
    (f) => f.pledge({ userId: 1, artistId: 1, amount: -5 }),
    { table: 'pledges', id: '5', column: 'amount' },
    /-5 is not positive/,
  ],
  [
    'an infinite amount',
    (f) => f.pledge({ userId: 1, artistId: 1, amount: '1e999' }),
    { table: 'pledges', id: '5', column: 'amount' },
    /Infinity is not a finite number/,
  ],
  [
    'an amount too large',
    (f) => f.pledge({ userId: 1, artistId: 1, amount: 1e21 }),
    { table: 'pledges', id: '5', column: 'amount' },
    /more than the schema holds/,
  ],
  [
    'fractional cents',
    (f) => f.pledge({ userId: 1, artistId: 1, amount: 10.999 }),
    { table: 'pledges', id: '5', column: 'amount' },
    /10.999 dollars is not a whole number of cents/,
  ],
  [
    'a bad level amount',
    (f) => f.addLevel({ artistId: 1, name: 'Odd', amount: 'abc' }),
    { table: 'pledge_levels', id: '2', column: 'amount' },
    /stored as text/,
  ],
  [
    'an unknown status',
    (f) => f.exec("UPDATE pledges SET status = 'refunded' WHERE id = 3"),
    { table: 'pledges', id: '3', column: 'status' },
    /"refunded" is not a known status/,
  ],
  [
    'a missing user',
    (f) => f.pledge({ userId: 42, artistId: 1, amount: 5 }),
    { table: 'pledges', id: '5', column: 'user_id' },
    /refers to users id 42, which the file does not have/,
  ],
  [
    'an artist id stored as text',
    (f) => f.pledge({ userId: 1, artistId: 'abc', amount: 5 }),
    { table: 'pledges', id: '5', column: 'artist_id' },
    /"abc" is stored as text/,
  ],
  [
    'a missing artist',
    (f) => f.pledge({ userId: 1, artistId: 8, amount: 5 }),
    { table: 'pledges', id: '5', column: 'artist_id' },
    /refers to artists id 8/,
  ],
  [
    'an unparseable timestamp',
    (f) => f.exec("UPDATE users SET created_at = 'yesterday' WHERE id = 3"),
    { table: 'users', id: '3', column: 'created_at' },
    /"yesterday" is not a timestamp/,
  ],
];

describeEachDatabase("import-sqlite (the current Pledgr app's file)", ({ db, fresh }) => {
  beforeAll(async () => {
    await migrate(db());
  });

  it('imports every row as computed by hand, with bcrypt hashes that still verify and the warnings counted', async () => {
    const target = await fresh();
    await migrate(target);
    const { summary, bad } = await runImport(target, await smallFile());
    expect(bad).toEqual([]);
    expect(summary.imported).toEqual({ users: 3, artists: 2, pledge_levels: 1, pledges: 4 });
    expect(summary.skipped).toEqual({ users: 0, artists: 0, pledge_levels: 0, pledges: 0 });
    expect(summary.estimatedCancellations).toBe(2);
    expect(summary.cancelEstimate).toBe('2024-06-01T00:00:00.000000Z');
    expect(summary.warnings).toEqual({
      levelIdWithoutLevel: 1,
      caseVariantEmails: 2,
      caseVariantsKeepingSpelling: 1,
      artistsWithoutOwner: 1,
      passwordsNotBcrypt: 0,
      completedStatuses: 1,
      // band: pledged 17.50 / 2 supporters vs active 5.00 / 1; orphan: 10.30 / 2 vs 0.30 / 1.
      counterMismatches: 2,
    });
    expect(await target.query(selectUsers, {})).toEqual(expectedUsers);
    expect(await target.query(selectArtists, {})).toEqual(expectedArtists);
    expect(await target.query(selectLevels, {})).toEqual(expectedLevels);
    expect(await target.query(selectPledges, {})).toEqual(expectedPledges);
    const hashes = await target.query(selectHashes, {});
    expect(hashes.map((h) => h.password_hash.slice(0, 7))).toEqual(['$2b$04$', '$2b$04$', '$2b$04$']);
    expect(await verifyPassword('secret-bo', hashes[2]?.password_hash ?? '')).toBe(true);
    expect(await verifyPassword('secret-ada', hashes[2]?.password_hash ?? '')).toBe(false);
    // Sequences moved past the kept ids; a cancel written later without a source is 'recorded'.
    const next = (await target.query(nextPledgeId, {}))[0]?.id ?? 0;
    expect(next).toBe(5);
    expect(await target.query(cancelPledge, { id: next })).toEqual([{ source: 'recorded' }]);
  });

  it.each(badCases)(
    'aborts on %s, naming table, id and column; nothing is written',
    async (_name, change, where, problem) => {
      const error = await runImport(db(), await smallFile(change)).then(
        () => new Error('the import succeeded'),
        (caught: unknown) => caught as Error,
      );
      expect(error).toBeInstanceOf(BadRowsError);
      expect(error.message).toContain(`${where.table} row id ${where.id}: ${where.column}:`);
      expect(error.message).toMatch(problem);
      expect(await db().query(countRows, {})).toEqual([{ users: 0, artists: 0, levels: 0, pledges: 0 }]);
    },
  );

  it('with skipInvalid imports the rest and reports every bad row (and the rows depending on it)', async () => {
    const target = await fresh();
    await migrate(target);
    const path = await smallFile((file) => {
      for (const [, change] of badCases) change(file);
    });
    const { summary, bad } = await runImport(target, path, { skipInvalid: true });
    // Each pledge case above adds pledge id 5, 6, …: with every case applied, each added row is its own id.
    expect(bad.map((b) => `${b.table}/${b.id}/${b.column}`).sort()).toEqual(
      [
        'users/3/created_at',
        'pledge_levels/2/amount',
        'pledges/2/user_id', // Bo (users 3) is bad, so are his pledges
        'pledges/3/status',
        'pledges/4/user_id',
        ...[
          'amount',
          'amount',
          'amount',
          'amount',
          'amount',
          'amount',
          'user_id',
          'artist_id',
          'artist_id',
        ].map((column, i) => `pledges/${5 + i}/${column}`),
      ].sort(),
    );
    expect(bad.find((b) => b.id === '2' && b.table === 'pledges')?.problem).toMatch(
      /a bad row that was not imported/,
    );
    expect(summary.skipped).toEqual({ users: 1, artists: 0, pledge_levels: 1, pledges: 12 });
    expect(summary.imported).toEqual({ users: 2, artists: 2, pledge_levels: 1, pledges: 1 });
    expect(await target.query(countRows, {})).toEqual([{ users: 2, artists: 2, levels: 1, pledges: 1 }]);
  });
});

describe('pulse import-sqlite on a Pledgr app file (CLI, embedded database)', () => {
  it('lists bad rows and writes nothing; --skip-invalid imports the rest with a report; warnings printed', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pulse-legacy-cli-'));
    try {
      const env = { PULSE_DATA_DIR: dataDir };
      const path = await smallFile((file) => file.pledge({ userId: 1, artistId: 1, amount: 10.999 }));
      const modified = new Date('2024-05-01T12:00:00Z');
      await utimes(path, modified, modified);
      const failed = await runCli(['import-sqlite', path], env);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(
        'import-sqlite: bad row: pledges row id 5: amount: 10.999 dollars is not a whole number of cents',
      );
      expect(failed.stderr).toMatch(/pulse: failed: 1 bad row .*nothing was imported/);

      const report = join(dataDir, 'skipped.jsonl');
      const done = await runCli(['import-sqlite', path, '--skip-invalid', '--report', report], env);
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/^Imported 3 users, 2 artists, 1 pledge levels and 4 pledges/);
      expect(done.stdout).toContain(
        '2 pledges have an ESTIMATED cancel instant (2024-05-01T12:00:00.000000Z',
      );
      expect(done.stdout).toContain(
        `SKIPPED 1 bad rows (pledges 1); every one, with its reason, is in ${report}`,
      );
      expect(done.stdout).toContain('WARNING: 1 pledges name a level_id that is no level (stored NULL)');
      expect(done.stdout).toContain('WARNING: 2 users have emails equal but for case');
      const lines = (await readFile(report, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
      expect(lines).toEqual([
        {
          table: 'pledges',
          id: '5',
          column: 'amount',
          problem: '10.999 dollars is not a whole number of cents',
        },
      ]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
