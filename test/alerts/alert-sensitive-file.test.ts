// The outside look at the monitored app, against a real Express 4 app shaped like the current Pledgr server
// (express.static over a folder, then a catch-all GET * that answers 200 with the front page): serving its
// working folder (a real SQLite file, a .env, a .git/config in it) fails the security item, naming the URL
// paths and never the content, and fires SensitiveFileServed; serving only a public/ folder passes and
// fires nothing — although the catch-all answers 200 for every path asked.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertService } from '../../collector/alerts/alert-service.ts';
import { createAlertInputGatherer } from '../../collector/alerts/gather-inputs.ts';
import { createExposedFilesProbe, looksLike } from '../../collector/scaling/exposed-files.ts';
import { alertRules } from '../../core/alerts/rules.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { itemOf, scalingServiceFor } from '../scaling/scaling-support.ts';
import { manualClock } from './alert-support.ts';

// The old app's own Express 4 (test/fixtures/legacy-pledgr), where `app.get('*')` is its catch-all.
const require = createRequire(new URL('../fixtures/legacy-pledgr/package.json', import.meta.url));
const express = require('express') as typeof import('express');

const secretLine = 'JWT_SECRET=correct-horse-battery-staple';
let workDir = '';
let db: Db;

/** Starts the old app's shape: express.static(folder), then GET * → index.html. */
async function startApp(folder: string, index: string): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.use(express.static(folder, { dotfiles: 'allow' }));
  app.get('*', (_req, res) => res.sendFile(index));
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pulse-exposed-'));
  // The app's working folder: a real SQLite database with a user row, a .env, a .git/config, public/.
  const SQL = await initSqlJs();
  const sqlite = new SQL.Database();
  sqlite.run(
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password TEXT); INSERT INTO users VALUES (1, 'fan@example.test', '$2a$10$abcdefghijklmnopqrstuv')",
  );
  await writeFile(join(workDir, 'pledgr.db'), sqlite.export());
  sqlite.close();
  await writeFile(join(workDir, '.env'), `# settings\nPORT=3000\n${secretLine}\n`);
  await mkdir(join(workDir, '.git'));
  await writeFile(join(workDir, '.git', 'config'), '[core]\n\trepositoryformatversion = 0\n\tbare = false\n');
  await mkdir(join(workDir, 'public'));
  await writeFile(join(workDir, 'public', 'index.html'), '<!DOCTYPE html><html><body>Pledgr</body></html>');
  db = await openPgliteDb({ dataDir: 'memory://' });
  await migrate(db);
});

afterAll(async () => {
  await db?.close();
  await rm(workDir, { recursive: true, force: true });
});

async function checkApp(folder: string) {
  const app = await startApp(folder, join(workDir, 'public', 'index.html'));
  try {
    const probe = createExposedFilesProbe({ urls: [`${app.url}/`] });
    const reading = await probe?.check();
    const report = await scalingServiceFor(db, { exposedFiles: probe }).report();
    // Each app is judged from scratch, not as the resolution of the previous one.
    await db.runScript('test.clearAlertHistory', 'DELETE FROM alert_history');
    const clock = manualClock(Date.now());
    const service = createAlertService({
      db,
      inputs: createAlertInputGatherer({
        db,
        engine: new KpiEngine(db, { currency: 'USD' }),
        health: null,
        clock,
        exposedFiles: probe,
        log: () => undefined,
      }),
      rules: alertRules.filter((rule) => rule.name === 'SensitiveFileServed'),
      clock,
      log: () => undefined,
    });
    try {
      await service.evaluateOnce();
      return { app, reading, item: itemOf(report, 'no-sensitive-files-served'), alert: service.states()[0] };
    } finally {
      await service.stop();
    }
  } finally {
    await app.close();
  }
}

describe('an app that serves its working folder as static files', () => {
  it('fails the security item, naming the paths but not the content, and fires SensitiveFileServed', async () => {
    const { app, reading, item, alert } = await checkApp(workDir);
    expect(reading?.exposed.map((file) => [file.path, file.kind, file.status])).toEqual([
      ['/pledgr.db', 'sqlite-database', 200],
      ['/.env', 'env-file', 200],
      ['/.git/config', 'git-config', 200],
    ]);
    expect(item).toMatchObject({ status: 'todo', section: 'security' });
    expect(item.evidence).toContain(`${app.url}/pledgr.db (a SQLite database, HTTP 200)`);
    expect(item.evidence).toContain(`${app.url}/.env`);
    expect(item.evidence).toContain('serve only a public/ folder');
    for (const content of [
      'JWT_SECRET',
      'correct-horse',
      'fan@example.test',
      '$2a$10$',
      'repositoryformatversion',
    ]) {
      expect(item.evidence).not.toContain(content);
    }
    expect(alert).toMatchObject({
      alertname: 'SensitiveFileServed',
      state: 'firing',
      severity: 'critical',
      value: 3,
    });
    expect(alert?.action[0]).toContain('serve only a public/ folder');
  });
});

describe('an app that serves only its public/ folder', () => {
  it('passes the item and fires nothing, though its catch-all answers 200 with the front page everywhere', async () => {
    const publicOnly = await startApp(join(workDir, 'public'), join(workDir, 'public', 'index.html'));
    const page = await fetch(`${publicOnly.url}/pledgr.db`);
    expect(page.status).toBe(200); // the catch-all: a page, not the file
    expect(await page.text()).toContain('<!DOCTYPE html>');
    await publicOnly.close();
    const { app, reading, item, alert } = await checkApp(join(workDir, 'public'));
    expect(reading?.exposed).toEqual([]);
    expect(reading?.reachable).toEqual([app.url]);
    expect(item).toMatchObject({ status: 'done' });
    expect(item.evidence).toContain('served none of /pledgr.db');
    expect(alert).toMatchObject({ state: 'inactive', value: 0 });
  });

  it('says unknown and keeps the alert quiet while the app does not answer or is not looked at', async () => {
    const probe = createExposedFilesProbe({ urls: ['http://127.0.0.1:9'], timeoutMs: 500 });
    const item = itemOf(
      await scalingServiceFor(db, { exposedFiles: probe }).report(),
      'no-sensitive-files-served',
    );
    expect(item).toMatchObject({
      status: 'unknown',
      evidence: 'the monitored app did not answer (http://127.0.0.1:9)',
    });
    expect(createExposedFilesProbe({ urls: [] })).toBeNull();
    expect(itemOf(await scalingServiceFor(db).report(), 'no-sensitive-files-served')).toMatchObject({
      status: 'unknown',
      evidence: expect.stringContaining('MONITORED_APP_URLS is not set'),
    });
  });
});

describe('recognising a file by its first bytes', () => {
  it('tells files from HTML pages about them', () => {
    const html = Buffer.from('<!DOCTYPE html><html><body>A=B</body></html>');
    expect(looksLike('sqlite-database', Buffer.from('SQLite format 3\0rest'))).toBe(true);
    expect(looksLike('sqlite-database', html)).toBe(false);
    expect(looksLike('env-file', Buffer.from('A=1\nexport B=two\n# c\n'))).toBe(true);
    expect(looksLike('env-file', html)).toBe(false);
    expect(looksLike('env-file', Buffer.from('hello world\nA=1\n'))).toBe(false);
    expect(looksLike('git-config', Buffer.from('[core]\n\tbare = false\n'))).toBe(true);
    expect(looksLike('git-config', html)).toBe(false);
    expect(looksLike('sqlite-wal', Buffer.from([0x37, 0x7f, 0x06, 0x82, 0, 0]))).toBe(true);
    expect(looksLike('sqlite-journal', Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]))).toBe(
      true,
    );
  });
});
