// The embedded database on a worker thread (`pulse start`): the same rows, types, COPY, transactions and
// errors as on the main thread, data that survives a reopen, and — the reason for the thread — a long
// query that leaves the caller's event loop free (timers keep firing while PostgreSQL works).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';

const rowsOfT = defineQuery<
  Record<string, never>,
  { id: number; big: number; day: string; at: Date; n: number }
>(
  'test.rowsOfT',
  "SELECT id, id::int8 * 1000000000 AS big, DATE '2026-03-01' + id AS day, TIMESTAMPTZ '2026-03-01T00:00:00Z' AS at, 1.5::numeric AS n FROM t ORDER BY id",
);
const slowQuery = defineQuery<{ n: number }, { total: number }>(
  'test.slowQuery',
  'SELECT sum(a.i * b.i)::int8 AS total FROM generate_series(1, :n) a(i) CROSS JOIN generate_series(1, 1000) b(i)',
);
const failing = defineQuery<Record<string, never>, never>('test.failing', 'INSERT INTO t (id) VALUES (1)');

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setUp(db: Db): Promise<void> {
  await db.runScript('test.setup', 'CREATE TABLE t (id int PRIMARY KEY)');
  await db.copyRows({ table: 't', columns: ['id'] }, [[1], [2], [3]]);
  await db.transaction(async (tx) => tx.query(defineQuery('test.four', 'INSERT INTO t VALUES (4)'), {}));
  await db
    .transaction(async (tx) => {
      await tx.query(defineQuery('test.five', 'INSERT INTO t VALUES (5)'), {});
      throw new Error('rolled back on purpose');
    })
    .catch(() => undefined);
}

describe('embedded database on a worker thread', () => {
  it('answers exactly as on the main thread: rows and types, COPY, commit and rollback, error fields', async () => {
    const results = [];
    for (const thread of ['main', 'worker'] as const) {
      const db = await openPgliteDb({ dataDir: 'memory://', thread });
      try {
        await setUp(db);
        const error = await db.query(failing, {}).catch((e: Error & { code?: string }) => e);
        results.push({ rows: await db.query(rowsOfT, {}), code: (error as { code?: string }).code });
      } finally {
        await db.close();
      }
    }
    const [main, worker] = results;
    expect(main?.rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);
    expect(main?.rows[0]).toEqual({
      id: 1,
      big: 1e9,
      day: '2026-03-02',
      at: new Date('2026-03-01T00:00:00Z'),
      n: 1.5,
    });
    expect(worker).toEqual(main);
    expect(worker?.code).toBe('23505');
  });

  it('creates a new cluster on a throw-away thread, and keeps its data across a reopen', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'pulse-pglite-thread-')), 'pglite');
    dirs.push(dir);
    // Without the template (an install that skipped `prepare`): initdb, on a thread of its own.
    const first = await openPgliteDb({
      dataDir: dir,
      thread: 'worker',
      initdbInThread: true,
      template: false,
    });
    expect(existsSync(join(dir, 'PG_VERSION'))).toBe(true);
    await setUp(first);
    await first.close();
    const second = await openPgliteDb({ dataDir: dir, thread: 'worker' });
    expect((await second.query(rowsOfT, {})).length).toBe(4);
    await second.close();
  });

  it('leaves the event loop free during a long query (the main thread stalls for its whole length)', async () => {
    const stallMs: Record<string, number> = {};
    for (const thread of ['main', 'worker'] as const) {
      const db = await openPgliteDb({ dataDir: 'memory://', thread });
      try {
        // A 10 ms ticker: the longest gap between its ticks is the longest the loop was held.
        let last = performance.now();
        let longestGap = 0;
        const ticker = setInterval(() => {
          const now = performance.now();
          longestGap = Math.max(longestGap, now - last);
          last = now;
        }, 10);
        const started = performance.now();
        await db.query(slowQuery, { n: 3000 });
        const queryMs = performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 30));
        clearInterval(ticker);
        stallMs[thread] = longestGap;
        expect(queryMs).toBeGreaterThan(200);
      } finally {
        await db.close();
      }
    }
    expect(stallMs.main).toBeGreaterThan(200);
    expect(stallMs.worker).toBeLessThan(100);
  });
});
