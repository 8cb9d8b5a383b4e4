// Legacy import speed on PostgreSQL: a generated 1,000,000-pledge file of the current Pledgr app (100,000
// users, 1,000 artists, a fifth of the pledges cancelled) imported once by the real CLI in its own process
// (time and peak RSS from /usr/bin/time), then followed: the first sync, and syncs that each find 1,000 new
// pledges and 100 cancels written by the real SQLite (the legacy app's sqlite3 module) on top of it — by a
// running follower (which remembers the file's previous state) and by one just restarted.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import { FollowMemory, syncPledgrOnce } from '../core/import/follow-pledgr.ts';
import { migrate } from '../core/migrate.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import { cliBin } from '../test/support/run-cli.ts';
import { type Benchmark, median, SkipBenchmark } from './harness.ts';

const run = promisify(execFile);
const shape = { users: 100_000, artists: 1_000, pledges: 1_000_000 };
const followRuns = 3;

interface Sqlite3Db {
  exec(sql: string, done: (error: Error | null) => void): void;
  close(done: (error: Error | null) => void): void;
}

export const legacyImportBenchmark: Benchmark = {
  name: 'legacy-import',
  async run() {
    const unavailable = await probePostgres();
    if (unavailable) throw new SkipBenchmark(unavailable);
    const dir = await mkdtemp(join(tmpdir(), 'pulse-legacy-bench-'));
    try {
      const file = join(dir, 'pledgr.db');
      await run(process.execPath, [
        '--import',
        'tsx',
        'bench/legacy-file-writer.ts',
        file,
        ...Object.values(shape).map(String),
      ]);
      const megabytes = (await stat(file)).size / 1e6;
      const oneShot = await importOnce(file);
      const follow = await followSyncs(file);
      return (
        `legacy-import: ${shape.pledges.toLocaleString('en-US')}-pledge legacy file (${megabytes.toFixed(0)} MB) → ` +
        `PostgreSQL: one-shot ${oneShot.seconds.toFixed(1)} s (${oneShot.rate}), peak RSS ${oneShot.peakRss}; ` +
        `--follow: first sync ${follow.first.toFixed(1)} s, then a sync with +1,000 pledges and 100 cancels ` +
        `${follow.increment.toFixed(2)} s (median of ${followRuns}; ${follow.restarted.toFixed(2)} s for the first ` +
        'such sync after a restart, which compares with the database)'
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

async function importOnce(file: string) {
  const temp = await createTempDatabase('pulse_bench');
  try {
    const env = { ...process.env, DATABASE_URL: temp.url };
    const command = ['-f', '%M', process.execPath, cliBin, 'import-sqlite', file];
    const { stdout, stderr } = await run('/usr/bin/time', command, { env, maxBuffer: 1 << 26 });
    const timing = /in ([\d.]+) s \((\d+) rows\/s\)/.exec(stdout);
    const peakKb = Number(stderr.trim().split('\n').pop());
    return {
      seconds: Number(timing?.[1]),
      rate: `${Number(timing?.[2]).toLocaleString('en-US')} rows/s`,
      peakRss: Number.isFinite(peakKb) ? `${Math.round(peakKb / 1024)} MB` : 'unknown',
    };
  } finally {
    await temp.drop();
  }
}

async function followSyncs(file: string) {
  const temp = await createTempDatabase('pulse_bench');
  const db = openPostgresDb({
    url: temp.url,
    pool: { max: 2, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5_000 },
  });
  const require = createRequire(new URL('../test/fixtures/legacy-pledgr/package.json', import.meta.url));
  const sqlite3 = require('sqlite3') as { Database: new (path: string) => Sqlite3Db };
  const writer = new sqlite3.Database(file);
  const exec = (sql: string) =>
    new Promise<void>((ok, fail) => writer.exec(sql, (e) => (e ? fail(e) : ok())));
  try {
    await migrate(db);
    // A running follower remembers the file as of its last sync; a restarted one compares with the database.
    const memory = new FollowMemory();
    const options = { intervalSeconds: 60, skipInvalid: false, memory };
    let started = performance.now();
    await syncPledgrOnce(db, file, options);
    const first = (performance.now() - started) / 1000;
    const durations: number[] = [];
    let restarted = 0;
    for (let i = 0; i <= followRuns; i++) {
      await exec(`BEGIN;
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
        INSERT INTO pledges (user_id, artist_id, amount, status) SELECT 1 + i * 37 % 100000, 1 + i % 1000, 5, 'active' FROM n;
        UPDATE pledges SET status = 'cancelled'
         WHERE id IN (SELECT id FROM pledges WHERE status = 'active' ORDER BY id LIMIT 100);
        COMMIT;`);
      started = performance.now();
      const result = await syncPledgrOnce(
        db,
        file,
        i === followRuns ? { ...options, memory: undefined } : options,
      );
      if (i === followRuns) restarted = (performance.now() - started) / 1000;
      else durations.push((performance.now() - started) / 1000);
      if (result.imported.pledges !== 1000 || result.cancelsObserved !== 100) {
        throw new Error(`unexpected sync: ${JSON.stringify({ ...result, summary: undefined })}`);
      }
    }
    return { first, increment: median(durations), restarted };
  } finally {
    await new Promise((done) => writer.close(done));
    await db.close();
    await temp.drop();
  }
}
