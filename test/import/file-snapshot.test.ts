// Consistent snapshots of a SQLite file another process is writing (core/import/file-snapshot.ts), with the
// real SQLite of the legacy fixture app's `sqlite3` module as the writer: in WAL mode, commits still only in
// the -wal are in the snapshot and a torn last frame drops its transaction; in rollback mode, a journal being
// written makes the reader wait and retry, then give up with a clear error.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyWal, readConsistentSnapshot, SnapshotBusyError } from '../../core/import/file-snapshot.ts';

interface Sqlite3Db {
  run(sql: string, params: unknown[], done: (error: Error | null) => void): void;
  close(done: (error: Error | null) => void): void;
}
const require = createRequire(new URL('../fixtures/legacy-pledgr/package.json', import.meta.url));
const sqlite3 = require('sqlite3') as { Database: new (path: string) => Sqlite3Db };

const run = (db: Sqlite3Db, sql: string, params: unknown[] = []) =>
  new Promise<void>((resolve, reject) => db.run(sql, params, (error) => (error ? reject(error) : resolve())));

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pulse-snapshot-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function countRows(bytes: Uint8Array): Promise<number> {
  const database = new (await initSqlJs()).Database(bytes);
  try {
    return Number(database.exec('SELECT count(*) FROM t')[0]?.values[0]?.[0]);
  } finally {
    database.close();
  }
}

describe('consistent snapshot of a SQLite file in use', () => {
  it('WAL: reads the commits still in the -wal; a torn last frame drops only its transaction', async () => {
    const path = join(workDir, 'wal.db');
    const writer = new sqlite3.Database(path);
    try {
      await run(writer, 'PRAGMA journal_mode = WAL');
      await run(writer, 'PRAGMA wal_autocheckpoint = 0');
      await run(writer, 'CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)');
      await run(writer, 'BEGIN');
      for (let i = 0; i < 10; i++) await run(writer, 'INSERT INTO t (payload) VALUES (?)', ['x'.repeat(500)]);
      await run(writer, 'COMMIT');
      await run(writer, 'BEGIN');
      for (let i = 0; i < 30; i++) await run(writer, 'INSERT INTO t (payload) VALUES (?)', ['y'.repeat(500)]);
      await run(writer, 'COMMIT');

      // The writer holds the file open: nothing is checkpointed, the main file alone has no rows of t.
      const snapshot = await readConsistentSnapshot(path);
      expect(snapshot.journal).toBe('wal');
      expect(snapshot.walFramesApplied).toBeGreaterThan(1);
      expect(await countRows(snapshot.bytes)).toBe(40);

      // The second transaction's last frame cut short (a write in progress): the first commit is what stands.
      const main = await readFile(path);
      const wal = await readFile(`${path}-wal`);
      const torn = applyWal(new Uint8Array(main), wal.subarray(0, wal.length - 1));
      expect(await countRows(torn.bytes)).toBe(10);
    } finally {
      await new Promise((resolve) => writer.close(resolve));
    }
  });

  it('rollback journal: waits while a journal is being written, then says the file kept changing', async () => {
    const path = join(workDir, 'rollback.db');
    const writer = new sqlite3.Database(path);
    await run(writer, 'CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await run(writer, 'INSERT INTO t DEFAULT VALUES');
    await new Promise((resolve) => writer.close(resolve));
    const clean = await readConsistentSnapshot(path);
    expect(clean.journal).toBe('rollback');
    expect(await countRows(clean.bytes)).toBe(1);

    // A hot journal (a writer between its first page write and its commit) is never read through.
    await writeFile(`${path}-journal`, Buffer.from('d9d505f920a163d7', 'hex'));
    await expect(readConsistentSnapshot(path)).rejects.toThrow(SnapshotBusyError);
    await expect(readConsistentSnapshot(path)).rejects.toThrow(/kept changing during 8 reads/);
    // PERSIST/TRUNCATE journal modes leave a zeroed or empty journal between writes: not in progress.
    await writeFile(`${path}-journal`, Buffer.alloc(28));
    expect(await countRows((await readConsistentSnapshot(path)).bytes)).toBe(1);
  }, 20_000);
});
