// Collector start-up: tokens generated once and stored privately when unset, configuration errors that
// name the variable without echoing secrets, and the same KPI JSON from the API as from `pulse kpis`.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../collector/config.ts';
import { startCollector } from '../../collector/server.ts';
import { resolveTokens } from '../../collector/tokens.ts';
import { alertThresholds } from '../../core/alerts/thresholds.ts';
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
      { ...loadCollectorConfig({ PULSE_DATA_DIR: dir }), port: 0 },
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

  it('reads the health and alert settings, with the defaults of docs/configuration.md', () => {
    expect(loadCollectorConfig({})).toMatchObject({
      health: { agentMetricsUrls: [], scrapeIntervalMs: 5_000, retentionMs: 6 * 3_600_000 },
      alerts: { evaluationIntervalMs: 15_000 },
      redisConfigured: false,
      monitoredAppUrls: [],
    });
    const config = loadCollectorConfig({
      MONITORED_APP_URLS: 'http://127.0.0.1:3000, https://pledgr.example.com',
      AGENT_METRICS_URLS: 'http://10.0.0.1:9464/metrics, http://10.0.0.2:9464/metrics',
      PROMETHEUS_URL: 'http://127.0.0.1:9090',
      HEALTH_SCRAPE_INTERVAL: '2s',
      HEALTH_RETENTION: '1h',
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/pulse',
      ALERT_EVALUATION_INTERVAL: '1m',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(config.health).toEqual({
      agentMetricsUrls: ['http://10.0.0.1:9464/metrics', 'http://10.0.0.2:9464/metrics'],
      prometheusUrl: 'http://127.0.0.1:9090',
      scrapeIntervalMs: 2_000,
      retentionMs: 3_600_000,
    });
    expect(config.alerts).toEqual({
      webhookUrl: 'https://hooks.example.com/pulse',
      evaluationIntervalMs: 60_000,
      lease: { holderId: expect.any(String), durationMs: 120_000 },
      // The default thresholds (no PULSE_CONFIG), judging staleness at the configured scrape interval.
      thresholds: {
        ...alertThresholds,
        staleness: { ...alertThresholds.staleness, healthIntervalSeconds: 2 },
      },
    });
    expect(config.redisConfigured).toBe(true);
    expect(config.monitoredAppUrls).toEqual(['http://127.0.0.1:3000', 'https://pledgr.example.com']);
  });

  it.each([
    [{ AGENT_METRICS_URLS: 'localhost:9464' }, /AGENT_METRICS_URLS .*comma-separated http/],
    [{ HEALTH_RETENTION: '6 hours' }, /HEALTH_RETENTION .*duration such as 6h/],
    [{ HEALTH_SCRAPE_INTERVAL: '0s' }, /HEALTH_SCRAPE_INTERVAL .*from 1 s/],
    [{ ALERTMANAGER_URL: 'alertmanager:9093' }, /ALERTMANAGER_URL .*http:\/\//],
    [{ MONITORED_APP_URLS: 'pledgr.example.com' }, /MONITORED_APP_URLS .*comma-separated http/],
  ])('names the variable for a bad setting: %j', (env, message) => {
    expect(() => loadCollectorConfig(env)).toThrow(message);
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
