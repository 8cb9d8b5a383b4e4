// The embedded database's template cluster (core/db/pglite-template.ts): `npm install` leaves one for the
// installed PGlite; a new data directory is a copy of it — the same cluster (system identifier), migrated
// and written like any other — and a directory that is not empty is never overwritten.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { buildTemplate, copyTemplate, templateDir } from '../../core/db/pglite-template.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';

const systemIdentifier = defineQuery<Record<string, never>, { id: string }>(
  'test.systemIdentifier',
  'SELECT system_identifier::text AS id FROM pg_control_system()',
);
const userCount = defineQuery<Record<string, never>, { users: number }>(
  'test.templateUsers',
  'SELECT count(*)::int AS users FROM users',
);

const root = await mkdtemp(join(tmpdir(), 'pulse-template-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function identifierOf(dataDir: string): Promise<string> {
  const db = await openPgliteDb({ dataDir });
  try {
    return (await db.query(systemIdentifier, {}))[0]?.id ?? '';
  } finally {
    await db.close();
  }
}

describe('the embedded database template', () => {
  it('is left by npm install for the installed PGlite (prepare: pglite-template-build.ts)', async () => {
    expect(existsSync(join(templateDir(), 'PG_VERSION'))).toBe(true);
    expect(await buildTemplate()).toBe(templateDir()); // there already: nothing rebuilt
  });

  it('is what a new data directory starts as: the same cluster, then migrated and written on its own', async () => {
    const dataDir = join(root, 'new', 'pglite');
    const db: Db = await openPgliteDb({ dataDir });
    try {
      await migrate(db);
      await db.runScript('test.addUser', "INSERT INTO users (email, password_hash) VALUES ('a@b.test', 'x')");
      expect((await db.query(userCount, {}))[0]?.users).toBe(1);
    } finally {
      await db.close();
    }
    // initdb draws a new random system identifier: a copy keeps the template's.
    expect(await identifierOf(dataDir)).toBe(await identifierOf(await copyOf(templateDir())));
    expect(existsSync(join(templateDir(), 'base'))).toBe(true);
    const again = await openPgliteDb({ dataDir: join(root, 'other', 'pglite') });
    try {
      await migrate(again);
      expect((await again.query(userCount, {}))[0]?.users).toBe(0); // the write stayed in its own copy
    } finally {
      await again.close();
    }
  });

  it('never overwrites a directory that holds something', async () => {
    const dataDir = join(root, 'occupied');
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    expect(await copyTemplate(dataDir)).toBe(false);
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
    expect((await readdir(root)).filter((name) => name.includes('.copy-'))).toEqual([]);
  });
});

/** A throw-away copy, so reading the identifier never opens (and writes to) the template itself. */
async function copyOf(template: string): Promise<string> {
  const dir = join(root, `template-copy-${Date.now()}`);
  await mkdir(dir);
  expect(await copyTemplate(dir)).toBe(true);
  expect(template).toContain('pglite-');
  return dir;
}
