// Applies the ordered SQL files of queries/migrations/ once each, every migration in its own transaction,
// recorded with a checksum in pulse_migrations. Safe to run twice and from two processes at once (an
// advisory lock serialises them); a migration edited after it was applied is refused, not re-run.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineQuery } from './db/query.ts';
import type { Db } from './db/types.ts';
import { RefusedError } from './errors.ts';
import { queriesDir } from './queries-dir.ts';

export interface Migration {
  readonly id: string;
  readonly sql: string;
  readonly checksum: string;
}

export interface MigrateResult {
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
}

const migrationsDir = join(queriesDir, 'migrations');
const migrationFile = /^(\d{4}_[a-z0-9_]+)\.sql$/;
/** Arbitrary constant shared by every Pulse process: the key of the migration advisory lock. */
const migrationLockKey = 7_262_015;

const createMigrationsTable = `
  CREATE TABLE IF NOT EXISTS pulse_migrations (
    id         text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

const lockMigrations = defineQuery<{ key: number }, { locked: string }>(
  'migrate.lock',
  'SELECT pg_advisory_xact_lock(:key)::text AS locked',
);
const findMigration = defineQuery<{ id: string }, { checksum: string }>(
  'migrate.findMigration',
  'SELECT checksum FROM pulse_migrations WHERE id = :id',
);
const recordMigration = defineQuery<{ id: string; checksum: string }, never>(
  'migrate.recordMigration',
  'INSERT INTO pulse_migrations (id, checksum) VALUES (:id, :checksum)',
);

export async function loadMigrations(dir = migrationsDir): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const id = migrationFile.exec(file)?.[1];
      if (!id) throw new Error(`migration file ${file} must be named NNNN_lower_snake_case.sql`);
      const sql = await readFile(join(dir, file), 'utf8');
      return { id, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export async function migrate(db: Db, migrations?: readonly Migration[]): Promise<MigrateResult> {
  const todo = migrations ?? (await loadMigrations());
  const applied: string[] = [];
  const alreadyApplied: string[] = [];
  for (const migration of todo) {
    const wasNew = await db.transaction(async (tx) => {
      await tx.query(lockMigrations, { key: migrationLockKey });
      await tx.runScript('migrate.createMigrationsTable', createMigrationsTable);
      const [existing] = await tx.query(findMigration, { id: migration.id });
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          throw new RefusedError(
            `migration ${migration.id} was changed after it was applied; add a new migration file instead`,
          );
        }
        return false;
      }
      await tx.runScript(`migrate.${migration.id}`, migration.sql);
      await tx.query(recordMigration, { id: migration.id, checksum: migration.checksum });
      return true;
    });
    (wasNew ? applied : alreadyApplied).push(migration.id);
  }
  return { applied, alreadyApplied };
}
