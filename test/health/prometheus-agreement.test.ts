// The scraper against a real Prometheus: the real agent under steady load (with injected 500s), scraped every
// second by /usr/bin/prometheus and by the built-in scraper; at one instant, over the same range, requests/s,
// error ratio and p95 must agree, and the Prometheus health source must report the same instance and figures.
// Skipped with the reason when Prometheus is not installed; in CI (CI=true) that is a failure.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { histogramQuantile } from '../../collector/health/histogram-quantile.ts';
import { createPrometheusClient } from '../../collector/health/prometheus-client.ts';
import { createPrometheusSource } from '../../collector/health/prometheus-source.ts';
import { createScrapeSource, type ScrapeSource } from '../../collector/health/scrape-source.ts';
import { promql } from '../../core/telemetry/promql.ts';
import { type AgentProcess, freePort, startAgentProcess } from '../support/agent-process.ts';
import { inCi } from '../support/postgres.ts';

const prometheusBin = process.env.PULSE_TEST_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const missing = existsSync(prometheusBin)
  ? null
  : `${prometheusBin} not found (apt-get install -y prometheus)`;

// The agent's HTTP bucket bounds: a quantile "within one bucket's interpolation" differs by less than the
// width of the bucket the Prometheus answer falls in.
const bounds = [0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
function bucketWidth(value: number): number {
  const upper = bounds.findIndex((bound) => bound >= value);
  return upper <= 0 ? (bounds[1] as number) : (bounds[upper] as number) - (bounds[upper - 1] as number);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function suite(): void {
  let agent: AgentProcess;
  let prometheus: ChildProcess;
  let prometheusUrl = '';
  let scraper: ScrapeSource;
  const dirs: string[] = [];
  let loadRunning = true;
  let load: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pulse-health-agent-'));
    const tsdb = await mkdtemp(join(tmpdir(), 'pulse-health-tsdb-'));
    dirs.push(dataDir, tsdb);
    agent = await startAgentProcess({
      PULSE_DATA_DIR: dataDir,
      RATE_LIMIT_API: 'off',
      RATE_LIMIT_AUTH: 'off',
      FAULT_ROUTES: '/api/artists/:id',
      FAULT_ERROR_RATE: '0.3',
    });
    const target = new URL(agent.metricsUrl);
    const config = join(tsdb, 'prometheus.yml');
    // Scrape every second, like the scraper below; rate windows of 10 s hold ten samples.
    await writeFile(
      config,
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: agent\n    metrics_path: ${target.pathname}\n    static_configs:\n      - targets: ['${target.host}']\n`,
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(prometheusBin, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(tsdb, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ]);
    let log = '';
    prometheus.stderr?.on('data', (chunk) => {
      log += chunk;
    });
    const client = createPrometheusClient(prometheusUrl);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const up = await client.query('up{job="agent"}', Date.now() / 1000).catch(() => []);
      if (up[0]?.value === 1) break;
      if (Date.now() > deadline) throw new Error(`Prometheus did not scrape the agent: ${log.slice(-2000)}`);
      await sleep(250);
    }

    scraper = createScrapeSource({ targets: [agent.metricsUrl], intervalMs: 1000, retentionMs: 600_000 });
    scraper.start();
    // Steady load: 4 workers, each listing artists, asking for an artist (30 % injected 500s, else 404) and
    // an unknown path (404, no route label).
    const worker = async () => {
      while (loadRunning) {
        await fetch(`${agent.url}/api/artists`).then((r) => r.arrayBuffer());
        await fetch(`${agent.url}/api/artists/999999`).then((r) => r.arrayBuffer());
        await fetch(`${agent.url}/no/such/path`).then((r) => r.arrayBuffer());
      }
    };
    load = Promise.all([worker(), worker(), worker(), worker()]).then(() => undefined);
    await sleep(16_000);
  }, 90_000);

  afterAll(async () => {
    loadRunning = false;
    await load;
    await scraper?.stop();
    prometheus?.kill('SIGTERM');
    await agent?.stop();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('agrees with Prometheus on requests/s, error ratio and p95 over the same range at the same instant', async () => {
    const client = createPrometheusClient(prometheusUrl);
    const at = Date.now() / 1000;
    const mine = scraper.summarize(10).total;
    const [rate, errors, p95, p95Buckets] = await Promise.all([
      client.query(promql.requestsPerSecond([], '10s'), at),
      client.query(promql.errorRatio([], '10s'), at),
      client.query(promql.latencyQuantile(0.95, [], '10s'), at),
      client.query(promql.latencyBucketsIncrease([], '10s'), at),
    ]);
    const theirs = { rps: rate[0]?.value ?? 0, errorRatio: errors[0]?.value ?? 0, p95: p95[0]?.value ?? 0 };
    console.info('[health agreement] scraper', {
      rps: mine.requestsPerSecond,
      errorRatio: mine.errorRatio,
      p95: mine.p95,
      requests: mine.requests,
      seconds: mine.seconds,
    });
    console.info('[health agreement] prometheus', theirs);

    expect(mine.seconds).toBeGreaterThanOrEqual(9);
    expect(theirs.rps).toBeGreaterThan(20); // the load really ran
    // Rates within 10 %: the two scrape schedules are out of phase by up to one second of ten.
    expect(Math.abs((mine.requestsPerSecond ?? 0) - theirs.rps) / theirs.rps).toBeLessThan(0.1);
    // A third of the requests hit /api/artists/:id, 30 % of those are 500s: about 0.1; within 2 points.
    expect(theirs.errorRatio).toBeGreaterThan(0.03);
    expect(Math.abs((mine.errorRatio ?? 0) - theirs.errorRatio)).toBeLessThan(0.02);
    // p95 within one bucket's interpolation.
    expect(mine.p95).not.toBeNull();
    expect(Math.abs((mine.p95 ?? 0) - theirs.p95)).toBeLessThanOrEqual(bucketWidth(theirs.p95));
    // Our quantile function on Prometheus's own bucket increases gives Prometheus's own answer.
    const buckets = p95Buckets.map((s) => ({
      le: s.metric.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.metric.le),
      count: s.value ?? 0,
    }));
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(theirs.p95, 9);
  });

  it('gives the same report shape and close figures through the Prometheus source', async () => {
    const source = createPrometheusSource({
      url: prometheusUrl,
      intervalMs: 1000,
      rateWindowSeconds: 10,
      retentionMs: 600_000,
    });
    const [report, own] = [await source.report(20), await scraper.report(20)];
    const mine = scraper.summarize(10).total;
    expect(report.source).toBe('prometheus');
    expect(report).toMatchObject({ windowSeconds: 20, stepSeconds: 1, canary: null });
    expect(Object.keys(report).sort()).toEqual(Object.keys(own).sort());
    expect(report.instances.map((i) => [i.instance, i.version, i.up])).toEqual(
      own.instances.map((i) => [i.instance, i.version, true]),
    );
    expect(Object.keys(report.total.at(-1) ?? {}).sort()).toEqual(Object.keys(own.total.at(-1) ?? {}).sort());
    expect(report.total.length).toBeGreaterThanOrEqual(15);

    const last = report.total.at(-1);
    const instanceLast = report.instances[0]?.points.at(-1);
    console.info('[health agreement] prometheus source', last);
    expect(
      Math.abs((last?.requestsPerSecond ?? 0) - (mine.requestsPerSecond ?? 0)) /
        (mine.requestsPerSecond ?? 1),
    ).toBeLessThan(0.15);
    expect(Math.abs((last?.errorRatio ?? 0) - (mine.errorRatio ?? 0))).toBeLessThan(0.03);
    expect(instanceLast?.requestsPerSecond).toBeCloseTo(last?.requestsPerSecond ?? -1, 9);
    expect(last?.rssBytes).toBeGreaterThan(10_000_000);
    expect(last?.heapUsedBytes).toBeGreaterThan(1_000_000);
    expect(last?.poolMax).toBe(1); // PGlite: a pool of one connection
    expect(Object.keys(last?.dbQueryP95 ?? {})).toContain('artists.list');

    await source.pollOnce();
    expect((await source.latest())?.total.requestsPerSecond).toBeGreaterThan(0);
  });
}

if (missing === null) {
  describe('health series agree with a real Prometheus', suite);
} else if (inCi) {
  describe('health series agree with a real Prometheus', () => {
    it('needs Prometheus, which CI must provide', () => {
      throw new Error(missing);
    });
  });
} else {
  console.warn(`[skipped] health series agree with a real Prometheus: ${missing}`);
  describe.skip('health series agree with a real Prometheus', suite);
}
