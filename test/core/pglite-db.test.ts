// What only the embedded implementation needs: data that survives a restart, and a guard against the
// deadlock of calling the database directly from inside one of its transactions.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { defineQuery } from '../../core/db/query.ts';

const countUsers = defineQuery<Record<string, never>, { n: number }>(
  'test.countUsers',
  'SELECT count(*) AS n FROM t',
);

describe('embedded database (PGlite)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('keeps committed rows in its data directory across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pulse-pglite-'));
    dirs.push(dir);
    const first = await openPgliteDb({ dataDir: join(dir, 'nested') });
    await first.runScript('test.setup', 'CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2);');
    await first.close();
    const second = await openPgliteDb({ dataDir: join(dir, 'nested') });
    expect((await second.query(countUsers, {}))[0]?.n).toBe(2);
    await second.close();
  });

  it('runs a waiting foreground call before every waiting background call (the API before KPI reads)', async () => {
    const db = await openPgliteDb({ dataDir: 'memory://' });
    const background = db.background?.();
    expect(background).toBeDefined();
    await db.runScript('test.setup', 'CREATE TABLE t (id int)');
    const slow = defineQuery<Record<string, never>, unknown>('test.slow', 'SELECT pg_sleep(0.2)');
    const named = (name: string) =>
      defineQuery<Record<string, never>, unknown>(name, 'SELECT count(*) FROM t');
    // The order statements finished in, as the database reports them (one runs at a time).
    const order: string[] = [];
    db.onQuery((event) => order.push(event.queryName));
    const bg = background as typeof db;
    await Promise.all([
      bg.query(slow, {}),
      bg.query(named('test.backgroundOne'), {}),
      bg.query(named('test.backgroundTwo'), {}),
      db.query(named('test.foreground'), {}),
    ]);
    expect(order).toEqual(['test.slow', 'test.foreground', 'test.backgroundOne', 'test.backgroundTwo']);
    // Both views are one database: rows written through one are read through the other.
    await (background as typeof db).runScript('test.insert', 'INSERT INTO t VALUES (1)');
    expect((await db.query(countUsers, {}))[0]?.n).toBe(1);
    await db.close();
  });

  it('rejects a direct call made inside its own transaction instead of deadlocking', async () => {
    const db = await openPgliteDb({ dataDir: 'memory://' });
    await db.runScript('test.setup', 'CREATE TABLE t (id int)');
    await expect(db.transaction(() => db.query(countUsers, {}))).rejects.toThrow(/use its tx handle/);
    expect((await db.query(countUsers, {}))[0]?.n).toBe(0);
    await db.close();
  });
});
