// Collector start-up: tokens generated once and stored privately when unset, configuration errors that
// name the variable without echoing secrets, and the same KPI JSON from the API as from `pulse kpis`.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../collector/config.ts';
import { startCollector } from '../../collector/server.ts';
import { resolveTokens } from '../../collector/tokens.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { getJson, startTestCollector } from '../support/collector.ts';
import { testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres } from '../support/postgres.ts';
import { runCli } from '../support/run-cli.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pulse-collector-'));
  dirs.push(dir);
  return dir;
}

describe('collector tokens', () => {
  it('generates both tokens once, stores them readable by the owner only, and reuses them', async () => {
    const dir = await tempDir();
    const first = await resolveTokens(dir, {});
    expect(first.generated).toEqual(['founder', 'operator']);
    expect(first.tokens.founder).not.toBe(first.tokens.operator);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    const second = await resolveTokens(dir, {});
    expect(second.generated).toEqual([]);
    expect(second.tokens).toEqual(first.tokens);
  });

  it('prefers tokens from the environment and generates only the missing one', async () => {
    const dir = await tempDir();
    const resolved = await resolveTokens(dir, { founderToken: 'a-founder-token-from-env' });
    expect(resolved.tokens.founder).toBe('a-founder-token-from-env');
    expect(resolved.generated).toEqual(['operator']);
  });

  it('serves with the generated tokens after a real start', async () => {
    const dir = await tempDir();
    const collector = await startCollector(
      { database: { kind: 'embedded', dataDir: dir }, currency: 'USD', host: '127.0.0.1', port: 0 },
      () => undefined,
    );
    try {
      const response = await fetch(`${collector.url}/api/kpis?from=2026-01-01&to=2026-02-01&interval=month`, {
        headers: { authorization: `Bearer ${collector.tokens.tokens.founder}` },
      });
      expect(response.status).toBe(200);
    } finally {
      await collector.stop();
    }
  });
});

describe('collector configuration', () => {
  it('defaults to 127.0.0.1:4000 and USD', () => {
    expect(loadCollectorConfig({})).toMatchObject({ host: '127.0.0.1', port: 4000, currency: 'USD' });
  });

  it('names a bad port and a short token without echoing the token', () => {
    expect(() => loadCollectorConfig({ COLLECTOR_PORT: '70000' })).toThrow(
      /COLLECTOR_PORT \("70000"\): must be from 0 to 65535/,
    );
    let message = '';
    try {
      loadCollectorConfig({ PULSE_FOUNDER_TOKEN: 'short-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PULSE_FOUNDER_TOKEN \(given\): must be at least 16 characters/);
    expect(message).not.toContain('short-secret');
  });

  it('refuses the same token for both roles', () => {
    const same = 'the-same-token-for-both';
    expect(() => loadCollectorConfig({ PULSE_FOUNDER_TOKEN: same, PULSE_OPERATOR_TOKEN: same })).toThrow(
      /PULSE_OPERATOR_TOKEN \(given\): must differ/,
    );
  });
});

const query = {
  from: '2025-12-01',
  to: '2026-03-01',
  interval: 'week',
  asOf: '2026-04-01T00:00:00Z',
} as const;
const cliArgs = [
  'kpis',
  '--from',
  query.from,
  '--to',
  query.to,
  '--interval',
  query.interval,
  '--as-of',
  query.asOf,
];
const apiPath = `/api/kpis?from=${query.from}&to=${query.to}&interval=${query.interval}&asOf=${query.asOf}`;
const seedOptions = {
  users: 800,
  months: 8,
  seed: 9,
  until: new Date('2026-03-15T00:00:00Z'),
  append: false,
};

describe('the same KPI JSON from both doors (embedded)', () => {
  it('matches between pulse kpis and GET /api/kpis', async () => {
    const dir = await tempDir();
    const seeded = await runCli(
      ['seed', '--users', '800', '--months', '8', '--seed', '9', '--until', '2026-03-15'],
      {
        PULSE_DATA_DIR: dir,
      },
    );
    expect(seeded.code).toBe(0);
    const cli = await runCli(cliArgs, { PULSE_DATA_DIR: dir });
    expect(cli.code).toBe(0);
    const collector = await startTestCollector({ kind: 'embedded', dataDir: dir });
    try {
      const api = await getJson(collector, apiPath, 'founder');
      expect(api.body).toEqual(JSON.parse(cli.stdout));
      expect((api.body as { periods: unknown[] }).periods).toHaveLength(13);
    } finally {
      await collector.stop();
    }
  });
});

describeWithPostgres('the same KPI JSON from both doors (PostgreSQL)', () => {
  it('matches between pulse kpis and GET /api/kpis', async () => {
    const temp = await createTempDatabase();
    try {
      const db = openPostgresDb({ url: temp.url, pool: testPool });
      await migrate(db);
      await seedDemoData(db, seedOptions);
      await db.close();
      const cli = await runCli(cliArgs, { DATABASE_URL: temp.url });
      expect(cli.code).toBe(0);
      const collector = await startTestCollector({
        kind: 'postgres',
        url: temp.url,
        dataDir: await tempDir(),
        pool: testPool,
      });
      try {
        expect((await getJson(collector, apiPath, 'founder')).body).toEqual(JSON.parse(cli.stdout));
      } finally {
        await collector.stop();
      }
    } finally {
      await temp.drop();
    }
  });
});
