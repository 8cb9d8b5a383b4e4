// `pulse import-sqlite FILE --follow` beside the running legacy app (test/fixtures/legacy-pledgr: Express 4 and
// the real `sqlite3` writing its file), into PostgreSQL, as an operator would run it: fans registered, pledges
// made and cancelled through the app's own API while the follower runs show up in Pulse's tables and KPIs; a
// follower killed (SIGKILL) in the middle of copying 200,000 new pledges leaves none of them, and its restart
// imports every one exactly once; a rename in the file drops the user's profile cached by the pledge API (Redis);
// Ctrl-C stops it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { testPool } from '../support/databases.ts';
import { type FixtureRun, startFixtureApp } from '../support/fixture-app.ts';
import { createTempDatabase, describeWithPostgres, inCi, type TempDatabase } from '../support/postgres.ts';
import { redisUnavailable, testRedisUrl } from '../support/redis.ts';
import { cliBin, runCli } from '../support/run-cli.ts';

interface Sqlite3Db {
  run(sql: string, params: unknown[], done: (error: Error | null) => void): void;
  close(done: (error: Error | null) => void): void;
}
const require = createRequire(new URL('../fixtures/legacy-pledgr/package.json', import.meta.url));
const sqlite3 = require('sqlite3') as { Database: new (path: string) => Sqlite3Db };
const sql = (db: Sqlite3Db, text: string, params: unknown[] = []) =>
  new Promise<void>((resolve, reject) =>
    db.run(text, params, (error) => (error ? reject(error) : resolve())),
  );

const pledgeTotals = defineQuery<
  Record<string, never>,
  { pledges: number; distinct_ids: number; cents: number; observed: number }
>(
  'test.followCliTotals',
  `SELECT count(*) AS pledges, count(DISTINCT id) AS distinct_ids, coalesce(sum(amount_cents), 0) AS cents,
          count(*) FILTER (WHERE cancelled_at_source = 'observed_follow') AS observed
     FROM pledges`,
);
/** A Redis database of its own, as the pledge API and the follower would share it. */
const redisUrl = `${testRedisUrl}/13`;

const copying = defineQuery<{ datname: string }, { pid: number }>(
  'test.followCliCopying',
  `SELECT pid FROM pg_stat_activity WHERE datname = :datname AND query LIKE 'COPY pledges%' AND state = 'active'`,
);

/** A running follower: its output so far, and a wait for a line matching a pattern. */
class Follower {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  constructor(file: string, databaseUrl: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl };
    delete env.PULSE_DATA_DIR;
    this.child = spawn(process.execPath, [cliBin, 'import-sqlite', file, '--follow', '--interval', '1s'], {
      env,
    });
    this.child.stdout?.on('data', (chunk) => {
      this.stdout += chunk;
    });
    this.child.stderr?.on('data', (chunk) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`no ${pattern} in the follower's output:\n${this.stdout}\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describeWithPostgres('import-sqlite --follow beside the running legacy app', () => {
  let workDir = '';
  let temp: TempDatabase;
  let db: Db;
  let app: FixtureRun;
  let file = '';
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'pulse-follow-cli-'));
    file = join(workDir, 'pledgr.db');
    temp = await createTempDatabase();
    db = await openPostgresDb({ url: temp.url, pool: testPool });
    app = await startFixtureApp({
      name: 'legacy-pledgr',
      withAgent: false,
      env: { DB_PATH: file },
      ready: /running on/,
    });
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
    await db?.close();
    await temp?.drop();
    await rm(workDir, { recursive: true, force: true });
  });

  async function api(path: string, method: string, body?: unknown, token?: string) {
    const response = await fetch(`${app.baseUrl}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  async function register(name: string) {
    const created = await api('/auth/register', 'POST', {
      name,
      email: `${name}@example.test`,
      password: 'pw-123456',
    });
    expect(created.status).toBe(201);
    return { id: (created.body.user as { id: number }).id, token: String(created.body.token) };
  }

  it('follows the app: new fans, pledges and cancels reach the KPIs; a kill mid-sync loses and doubles nothing', async () => {
    const ada = await register('ada');
    // A pledge from January, written straight into the file (the app stamps only "now").
    const writer = new sqlite3.Database(file);
    await sql(
      writer,
      "INSERT INTO pledges (user_id, artist_id, amount, created_at) VALUES (?, 1, 12.5, '2026-01-15 10:00:00')",
      [ada.id],
    );

    let follower = new Follower(file, temp.url);
    await follower.waitFor(/^Imported 1 users, 3 artists, 0 pledge levels and 1 pledges/m);

    const bo = await register('bo');
    const pledged = await api('/pledges', 'POST', { artistId: 2, amount: '7.50' }, bo.token);
    expect(pledged.status).toBe(201);
    expect((await api('/pledges/1', 'DELETE', undefined, ada.token)).status).toBe(200);
    await follower.waitFor(
      /^sync \d+ at .*: \+1 users, \+0 artists, \+0 levels, \+1 pledges, 1 cancels observed/m,
    );
    expect(await db.query(pledgeTotals, {})).toEqual([
      { pledges: 2, distinct_ids: 2, cents: 1250 + 750, observed: 1 },
    ]);

    // The KPIs of this month: Ada's January pledge churned at an observed instant, not an estimated one.
    const month = new Date().toISOString().slice(0, 7);
    const next = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1))
      .toISOString()
      .slice(0, 10);
    const kpis = await runCli(
      ['kpis', '--from', `${month}-01`, '--to', next, '--interval', 'month', '--format', 'json'],
      { DATABASE_URL: temp.url },
    );
    expect(kpis.code).toBe(0);
    const [period] = (JSON.parse(kpis.stdout) as { periods: Record<string, number>[] }).periods;
    expect(period).toMatchObject({ churnedPledgers: 1, churnedMrrCents: 1250, newMrrCents: 750 });
    expect(period?.estimatedChurnMovements).toBe(0);

    // Ada renames in the old app while the pledge API holds her profile in its cache: the sync drops it.
    if (redisUnavailable && !inCi) console.warn(`profile-cache step skipped: ${redisUnavailable}`);
    else {
      const redis = new Redis(redisUrl);
      try {
        const key = `pulse:user:${ada.id}:profile`;
        const cached = { id: ada.id, email: 'ada@example.test', name: 'ada', createdAt: '2026-01-01' };
        await redis.set(key, JSON.stringify(cached));
        await sql(writer, "UPDATE users SET name = 'Ada L.' WHERE id = ?", [ada.id]);
        await follower.waitFor(/^sync \d+ at .*: \+0 users.*, 1 users updated/m);
        expect(await redis.get(key)).toBe('-'); // the cache's tombstone: the next read goes to the database
      } finally {
        redis.disconnect();
      }
    }

    // 200,000 pledges land in the file at once; the follower is killed while it copies them.
    await sql(writer, 'BEGIN');
    await sql(
      writer,
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
       INSERT INTO pledges (user_id, artist_id, amount) SELECT ?, 1 + i % 3, 1 + i % 5 FROM n`,
      [bo.id],
    );
    await sql(writer, 'COMMIT');
    const deadline = Date.now() + 30_000;
    while ((await db.query(copying, { datname: temp.url.split('/').pop() ?? '' })).length === 0) {
      if (Date.now() > deadline) throw new Error(`the follower never copied pledges:\n${follower.stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    follower.child.kill('SIGKILL');
    await follower.exited;
    expect((await db.query(pledgeTotals, {}))[0]?.pledges).toBe(2);

    follower = new Follower(file, temp.url);
    await follower.waitFor(/^sync \d+ at .*: \+0 users, \+0 artists, \+0 levels, \+200000 pledges/m, 60_000);
    // 200,000 pledges of 1..5 dollars cycling (i % 5), plus the two earlier ones.
    const expectedCents = 1250 + 750 + 40_000 * (100 + 200 + 300 + 400 + 500);
    expect(await db.query(pledgeTotals, {})).toEqual([
      { pledges: 200_002, distinct_ids: 200_002, cents: expectedCents, observed: 1 },
    ]);

    follower.child.kill('SIGINT');
    expect(await follower.exited).toBe(0);
    expect(follower.stderr).toMatch(
      /stopped; `import-sqlite FILE --follow` again resumes where this left off/,
    );

    // The switch-over is done: the follow is forgotten (so the collector stops calling it stale), the data stays.
    const ended = await runCli(['import-sqlite', file, '--end-follow'], { DATABASE_URL: temp.url });
    expect(ended).toMatchObject({ code: 0 });
    expect(ended.stdout).toMatch(/pledgr\.db is no longer followed \(after \d+ syncs\); its data stays\.\n$/);
    expect((await db.query(pledgeTotals, {}))[0]?.pledges).toBe(200_002);
    const again = await runCli(['import-sqlite', file, '--end-follow'], { DATABASE_URL: temp.url });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/pledgr\.db is not followed/);
    await new Promise((resolve) => writer.close(resolve));
  }, 180_000);
});
