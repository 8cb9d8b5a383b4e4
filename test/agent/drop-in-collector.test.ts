// The collector works unchanged on a foreign app instrumented by the drop-in: it scrapes the legacy-style
// Express 4 + sqlite3 fixture like one of Pulse's own agents, and its live health shows the app's traffic,
// latency, error ratio, sqlite3 query p95 by summary, heap, RSS and event-loop delay.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../collector/health/types.ts';
import type { RunningCollector } from '../../collector/server.ts';
import { getJson, startTestCollector } from '../support/collector.ts';
import { type FixtureRun, startFixtureApp } from '../support/fixture-app.ts';

describe('the collector on an app instrumented by the drop-in', () => {
  let dir = '';
  let app: FixtureRun;
  let collector: RunningCollector;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pulse-dropin-collector-'));
    app = await startFixtureApp({
      name: 'legacy-pledgr',
      withAgent: true,
      env: { DB_PATH: join(dir, 'pledgr.db') },
      ready: /Pledgr server running on/,
    });
    collector = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      {
        health: { agentMetricsUrls: [app.metricsUrl], scrapeIntervalMs: 1_000, retentionMs: 600_000 },
      },
    );
  });
  afterAll(async () => {
    await collector?.stop();
    await app?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the app’s requests, errors, query p95 and runtime in /api/health', async () => {
    const deadline = Date.now() + 30_000;
    let newest: HealthReport['total'][number] | undefined;
    while (Date.now() < deadline) {
      // Traffic every round: artist pages (sqlite3 SELECT artists) and one 500 in ten.
      for (let i = 0; i < 9; i++) await fetch(`${app.baseUrl}/api/artists/${(i % 3) + 1}`);
      await fetch(`${app.baseUrl}/api/boom`);
      const report = (await getJson(collector, '/api/health?window=5m', 'operator')).body as HealthReport;
      newest = report.total.at(-1);
      if (newest?.requestsPerSecond && newest.dbQueryP95['SELECT artists'] !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(newest?.requestsPerSecond).toBeGreaterThan(0);
    expect(newest?.errorRatio).toBeGreaterThan(0);
    expect(newest?.errorRatio).toBeLessThan(0.5);
    expect(newest?.latencyP95).toBeGreaterThan(0);
    expect(newest?.dbQueryP95['SELECT artists']).toBeGreaterThan(0);
    expect(newest?.heapUsedBytes).toBeGreaterThan(1_000_000);
    expect(newest?.rssBytes).toBeGreaterThan(10_000_000);
    expect(newest?.eventLoopP99).not.toBeNull();
  });
});
