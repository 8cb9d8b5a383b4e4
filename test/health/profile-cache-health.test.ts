// The profile-cache hit ratio in live health, from pledgr_cache_lookups_total{cache="user_profile",result}:
// per step and per instance (look-ups/s, hit ratio), over the whole window (hits, misses, errors, ratio), summed
// over instances and never averaged; null ("no cache") where no instance serves the family. The built-in
// scraper from hand-written exposition text, and the Prometheus source through a real Prometheus scraping
// the same stub target, must give the same figures.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusSource } from '../../collector/health/prometheus-source.ts';
import { createScrapeSource } from '../../collector/health/scrape-source.ts';
import {
  describeWithPrometheus,
  type RunningPrometheus,
  startPrometheus,
} from '../support/prometheus-server.ts';
import { exposition, manualClock, type StubTarget, startStubTarget } from './exposition-fixture.ts';

const bounds = ['0.005', '0.1', '+Inf'];
const http = (count: number) => [{ status: '200', counts: [count, count, count] }];

const targets: StubTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
});
async function target(): Promise<StubTarget> {
  const stub = await startStubTarget();
  targets.push(stub);
  return stub;
}

describe('profile cache in the scraper', () => {
  it('derives look-ups/s and hit ratio per step and instance, sums them in the total and over the window', async () => {
    const [a, b] = [await target(), await target()];
    const clock = manualClock(0);
    const source = createScrapeSource(
      { targets: [a.url, b.url], intervalMs: 5000, retentionMs: 60_000 },
      clock,
    );
    const scrape = async (at: number, cacheA: [number, number, number], cacheB: [number, number, number]) => {
      const cache = ([hit, miss, error]: [number, number, number]) => ({ hit, miss, error });
      a.body = exposition({ instance: 'agent-a', bounds, http: http(at), cache: cache(cacheA) });
      b.body = exposition({ instance: 'agent-b', bounds, http: http(at), cache: cache(cacheB) });
      clock.set(at);
      await source.scrapeOnce();
    };
    await scrape(0, [0, 0, 0], [0, 0, 0]);
    await scrape(5000, [8, 2, 0], [0, 0, 0]); // a: 8 of 10 hits; b: no look-ups
    await scrape(10_000, [8, 2, 10], [3, 1, 0]); // a: Redis down (10 errors); b: 3 of 4

    const report = await source.report(60);
    const byInstance = Object.fromEntries(report.instances.map((i) => [i.instance, i.points]));
    expect(byInstance['agent-a']?.map((p) => p.cacheHitRatio)).toEqual([null, 0.8, 0]);
    expect(byInstance['agent-a']?.map((p) => p.cacheLookupsPerSecond)).toEqual([null, 2, 2]);
    expect(byInstance['agent-b']?.map((p) => p.cacheHitRatio)).toEqual([null, null, 0.75]);
    expect(byInstance['agent-b']?.map((p) => p.cacheLookupsPerSecond)).toEqual([null, 0, 0.8]);
    // The total from summed counts: (0 + 3) / (10 + 4), not the mean of 0 and 0.75.
    expect(report.total.map((p) => p.cacheHitRatio)).toEqual([null, 0.8, 3 / 14]);
    expect(report.total.map((p) => p.cacheLookupsPerSecond)).toEqual([null, 2, 2.8]);
    expect(report.profileCache).toEqual({ hits: 11, misses: 3, errors: 10, lookups: 24, hitRatio: 11 / 24 });
  });

  it('says no cache (null) when no instance serves the family', async () => {
    const stub = await target();
    const clock = manualClock(0);
    const source = createScrapeSource({ targets: [stub.url], intervalMs: 5000, retentionMs: 60_000 }, clock);
    for (const at of [0, 5000, 10_000]) {
      stub.body = exposition({ instance: 'agent-a', bounds, http: http(at) });
      clock.set(at);
      await source.scrapeOnce();
    }
    const report = await source.report(60);
    expect(report.profileCache).toBeNull();
    expect(report.total.map((p) => [p.cacheHitRatio, p.cacheLookupsPerSecond])).toEqual([
      [null, null],
      [null, null],
      [null, null],
    ]);
  });
});

describeWithPrometheus('profile cache through Prometheus', () => {
  let prometheus: RunningPrometheus;
  let stub: StubTarget;
  let bare: StubTarget;
  let dir = '';
  // Look-ups grow by 3 hits, 1 miss and 0 errors a second: a hit ratio of 0.75 and 4 look-ups/s.
  let timer: NodeJS.Timeout;

  beforeAll(async () => {
    stub = await startStubTarget();
    bare = await startStubTarget();
    const started = Date.now();
    const render = () => {
      const s = (Date.now() - started) / 1000;
      stub.body = exposition({
        instance: 'agent-a',
        bounds,
        http: http(0),
        cache: { hit: 3 * s, miss: s, error: 0 },
      });
      bare.body = exposition({ instance: 'agent-b', bounds, http: http(0) });
    };
    render();
    timer = setInterval(render, 100);
    dir = await mkdtemp(join(tmpdir(), 'pulse-cache-prom-'));
    const config = join(dir, 'prometheus.yml');
    const hostOf = (t: StubTarget) => new URL(t.url).host;
    await writeFile(
      config,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: agent\n    static_configs:\n      - targets: ['${hostOf(stub)}', '${hostOf(bare)}']\n`,
    );
    prometheus = await startPrometheus(config);
    await prometheus.waitFor('count_over_time(pledgr_cache_lookups_total{result="hit"}[1m]) >= 6', 30_000);
  }, 60_000);

  afterAll(async () => {
    clearInterval(timer);
    await prometheus?.stop();
    await Promise.all([stub?.close(), bare?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the hit ratio, look-ups/s and the window figures from PromQL; null for the instance without cache', async () => {
    const source = createPrometheusSource({
      url: prometheus.url,
      intervalMs: 1000,
      rateWindowSeconds: 4,
      retentionMs: 600_000,
    });
    const report = await source.report(5);
    const last = report.total.at(-1);
    expect(last?.cacheHitRatio).toBeCloseTo(0.75, 2);
    expect(last?.cacheLookupsPerSecond).toBeGreaterThan(3.5);
    expect(last?.cacheLookupsPerSecond).toBeLessThan(4.5);
    const withCache = report.instances.find((i) => i.instance === 'agent-a')?.points.at(-1);
    const without = report.instances.find((i) => i.instance === 'agent-b')?.points.at(-1);
    expect(withCache?.cacheHitRatio).toBeCloseTo(0.75, 2);
    expect(without).toBeDefined();
    expect(without?.cacheHitRatio).toBeNull();
    expect(without?.cacheLookupsPerSecond).toBeNull();
    expect(report.profileCache?.hitRatio).toBeCloseTo(0.75, 2);
    expect(report.profileCache?.errors).toBe(0);
    expect(report.profileCache?.lookups).toBeGreaterThan(10);
  });
});
