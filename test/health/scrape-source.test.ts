// The built-in scraper against local targets serving hand-written exposition text, with a hand-moved clock
// and scrapeOnce() instead of waiting: per-instance points from counter deltas (a reset, an empty interval),
// a vanished target, the ring buffer at capacity, and a total made from summed deltas across two instances.
import { afterEach, describe, expect, it } from 'vitest';
import { createScrapeSource } from '../../collector/health/scrape-source.ts';
import {
  exposition,
  type FixtureInstance,
  manualClock,
  type StubTarget,
  startStubTarget,
} from './exposition-fixture.ts';

const bounds = ['0.005', '0.01', '0.025', '0.1', '+Inf'];
const gauges = { used: 2, idle: 3, pending: 1, max: 10, heap: [100, 200], rss: 1000, loopP99: 0.012 };
const db = (counts: number[]) => ({ query: 'artists.list', bounds: ['0.001', '0.005', '+Inf'], counts });

const targets: StubTarget[] = [];
afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
});
async function target(): Promise<StubTarget> {
  const stub = await startStubTarget();
  targets.push(stub);
  return stub;
}

describe('scrape source, one instance', () => {
  it('derives rates, error ratio and quantiles from deltas, survives a reset, and nulls an empty interval', async () => {
    const stub = await target();
    const clock = manualClock(0);
    const source = createScrapeSource({ targets: [stub.url], intervalMs: 5000, retentionMs: 60_000 }, clock);
    const scrape = async (at: number, fixture: Omit<FixtureInstance, 'instance' | 'bounds'>) => {
      stub.body = exposition({ instance: 'agent-a', bounds, gauges, ...fixture });
      clock.set(at);
      await source.scrapeOnce();
    };

    await scrape(0, {
      http: [
        { status: '200', counts: [2, 4, 5, 5, 5] },
        { status: '500', counts: [0, 0, 0, 1, 1] },
      ],
      db: db([1, 2, 2]),
      rejections: 3,
    });
    await scrape(5000, {
      http: [
        { status: '200', counts: [12, 24, 34, 35, 35] },
        { status: '500', counts: [0, 0, 0, 2, 3] }, // one of the two new 5xx answers took more than 0.1 s
      ],
      db: db([1, 12, 12]),
      rejections: 8,
    });
    // The agent restarted under the same instance id: every counter is below its previous value.
    await scrape(10_000, { http: [{ status: '200', counts: [1, 2, 3, 3, 3] }], rejections: 2 });
    // Nothing happened since.
    await scrape(15_000, { http: [{ status: '200', counts: [1, 2, 3, 3, 3] }], rejections: 2 });

    const report = await source.report(60);
    const points = report.instances[0]?.points ?? [];
    expect(points.map((p) => p.t)).toEqual([0, 5000, 10_000, 15_000]);

    // First scrape: gauges only; no previous scrape to take a delta from.
    expect(points[0]).toMatchObject({ requestsPerSecond: null, errorRatio: null, latencyP95: null });
    expect(points[0]).toMatchObject({ poolUsed: 2, poolIdle: 3, poolPending: 1, poolMax: 10 });
    expect(points[0]).toMatchObject({ heapUsedBytes: 300, rssBytes: 1000, eventLoopP99: 0.012 });

    // 0 → 5 s. Bucket deltas 200: [10,20,29,30,30], 500: [0,0,0,1,2]; summed [10,20,29,31,32].
    const second = points[1];
    expect(second?.requestsPerSecond).toBeCloseTo(32 / 5, 12); // 30 + 2 requests in 5 s
    expect(second?.errorRatio).toBeCloseTo(2 / 32, 12);
    // p50: rank 16 in (0.005, 0.01] holding 10, 6 into it → 0.005 + 0.005 × 6/10 = 0.008
    expect(second?.latencyP50).toBeCloseTo(0.008, 12);
    // p95: rank 30.4 in (0.025, 0.1] holding 2, 1.4 into it → 0.025 + 0.075 × 0.7 = 0.0775
    expect(second?.latencyP95).toBeCloseTo(0.0775, 12);
    // p99: rank 31.68 > 31 (count ≤ 0.1 s): the +Inf bucket → the highest finite bound, 0.1
    expect(second?.latencyP99).toBe(0.1);
    // db deltas [0,10,10]: p95 rank 9.5 in (0.001, 0.005] → 0.001 + 0.004 × 0.95 = 0.0048
    expect(second?.dbQueryP95['artists.list']).toBeCloseTo(0.0048, 12);
    expect(second?.rateLimitRejectionsPerSecond).toBeCloseTo(1, 12); // (8 − 3) / 5

    // 5 → 10 s across the reset: the increase is the new value, 3 requests and 2 rejections.
    const third = points[2];
    expect(third?.requestsPerSecond).toBeCloseTo(0.6, 12);
    expect(third?.errorRatio).toBe(0);
    expect(third?.rateLimitRejectionsPerSecond).toBeCloseTo(0.4, 12);
    // deltas [1,2,3,3,3]: p50 rank 1.5 in (0.005, 0.01] holding 1 → 0.005 + 0.005 × 0.5 = 0.0075
    expect(third?.latencyP50).toBeCloseTo(0.0075, 12);

    // 10 → 15 s: no request, so no ratio and no quantile — but a measured rate of 0.
    expect(points[3]).toMatchObject({
      requestsPerSecond: 0,
      errorRatio: null,
      latencyP50: null,
      latencyP95: null,
    });
    expect(points[3]?.dbQueryP95).toEqual({});

    // The total of one instance is that instance.
    expect(report.total).toEqual(points);
    expect(report.canary).toBeNull();
    expect(report.lastSuccessAt).toBe(15_000);
  });

  it('marks a vanished target down, invents no point, and forgets it once its points age out', async () => {
    const stub = await target();
    const clock = manualClock(0);
    const source = createScrapeSource({ targets: [stub.url], intervalMs: 5000, retentionMs: 30_000 }, clock);
    const ticks: (number | null)[] = [];
    source.onTick((latest) => ticks.push(latest?.t ?? null));
    stub.body = exposition({
      instance: 'agent-a',
      bounds,
      http: [{ status: '200', counts: [1, 1, 1, 1, 1] }],
    });
    await source.scrapeOnce();
    clock.set(5000);
    await source.scrapeOnce();

    stub.down = true;
    for (const at of [10_000, 15_000, 20_000]) {
      clock.set(at);
      await source.scrapeOnce();
    }
    let report = await source.report(30);
    expect(report.instances).toHaveLength(1);
    expect(report.instances[0]).toMatchObject({
      instance: 'agent-a',
      up: false,
      lastSeen: 5000,
      target: stub.url,
    });
    expect(report.instances[0]?.points.map((p) => p.t)).toEqual([0, 5000]);
    expect(report.total.map((p) => p.t)).toEqual([0, 5000]);
    expect(report.lastSuccessAt).toBe(5000);
    expect(ticks).toEqual([0, 5000, null, null, null]);
    expect((await source.latest())?.instances[0]?.up).toBe(false);

    // 30 s window at 32 s: only points after 2 s remain.
    clock.set(32_000);
    report = await source.report(30);
    expect(report.instances[0]?.points.map((p) => p.t)).toEqual([5000]);

    // At 36 s the last point (5 s) is older than the 30 s retention: the instance is dropped.
    clock.set(36_000);
    await source.scrapeOnce();
    report = await source.report(30);
    expect(report.instances).toEqual([]);
    expect(report.total).toEqual([]);
  });

  it('keeps at most retention / interval points per series', async () => {
    const stub = await target();
    const clock = manualClock(0);
    // 30 s of 5 s intervals: capacity 6.
    const source = createScrapeSource({ targets: [stub.url], intervalMs: 5000, retentionMs: 30_000 }, clock);
    expect(source.capacity).toBe(6);
    for (let i = 0; i < 20; i++) {
      stub.body = exposition({
        instance: 'agent-a',
        bounds,
        http: [{ status: '200', counts: [i, i, i, i, i] }],
      });
      clock.set(i * 5000);
      await source.scrapeOnce();
    }
    // A window far wider than the retention is clamped to it, and the buffer holds the 6 newest points.
    const report = await source.report(3600);
    expect(report.windowSeconds).toBe(30);
    expect(report.instances[0]?.points.map((p) => p.t / 5000)).toEqual([14, 15, 16, 17, 18, 19]);
    expect(report.total).toHaveLength(6);
  });
});

describe('scrape source, two instances', () => {
  it('computes the total from summed deltas, not from averaged quantiles', async () => {
    const [a, b] = [await target(), await target()];
    const clock = manualClock(1000);
    const source = createScrapeSource(
      { targets: [a.url, b.url], intervalMs: 5000, retentionMs: 60_000 },
      clock,
    );
    const twoBounds = ['0.01', '0.1', '1', '+Inf'];
    a.body = exposition({
      instance: 'a',
      bounds: twoBounds,
      http: [{ status: '200', counts: [0, 0, 0, 0] }],
    });
    b.body = exposition({
      instance: 'b',
      bounds: twoBounds,
      http: [
        { status: '200', counts: [0, 0, 0, 0] },
        { status: '503', counts: [0, 0, 0, 0] },
      ],
    });
    await source.scrapeOnce();
    a.body = exposition({
      instance: 'a',
      bounds: twoBounds,
      http: [{ status: '200', counts: [8, 10, 10, 10] }],
    });
    b.body = exposition({
      instance: 'b',
      bounds: twoBounds,
      http: [
        { status: '200', counts: [0, 0, 9, 9] },
        { status: '503', counts: [0, 0, 0, 1] },
      ],
    });
    clock.set(6000);
    await source.scrapeOnce();

    const report = await source.report(60);
    const byId = new Map(report.instances.map((i) => [i.instance, i.points.at(-1)]));
    // a: deltas [8,10,10,10]; p95 rank 9.5 in (0.01, 0.1] holding 2 → 0.01 + 0.09 × 0.75 = 0.0775
    expect(byId.get('a')?.latencyP95).toBeCloseTo(0.0775, 12);
    // b: deltas [0,0,9,10]; rank 9.5 above the 9 counted ≤ 1 s → +Inf bucket → 1
    expect(byId.get('b')?.latencyP95).toBe(1);
    expect(byId.get('b')?.errorRatio).toBeCloseTo(0.1, 12);

    const total = report.total.at(-1);
    // Summed deltas [8,10,19,20]: 20 requests in 5 s, 1 error.
    expect(total?.requestsPerSecond).toBeCloseTo(4, 12);
    expect(total?.errorRatio).toBeCloseTo(0.05, 12);
    // p95: rank 19 reaches the top of (0.1, 1] → 1; p50: rank 10 = top of (0.01, 0.1] → 0.1
    expect(total?.latencyP95).toBeCloseTo(1, 12);
    expect(total?.latencyP50).toBeCloseTo(0.1, 12);
    // Averaging the instances' p50 would give (0.00625 + 0.55) / 2: a different, wrong figure.
    expect(total?.latencyP50).not.toBeCloseTo(
      ((byId.get('a')?.latencyP50 ?? 0) + (byId.get('b')?.latencyP50 ?? 0)) / 2,
      3,
    );

    // Neither agent serves a rate-limit counter: null, as PromQL answers nothing, not a measured 0.
    expect(total?.rateLimitRejectionsPerSecond).toBeNull();

    const summary = source.summarize(60);
    expect(summary.total).toMatchObject({ requests: 20, serverErrors: 1, seconds: 5, requestsPerSecond: 4 });
    const latest = await source.latest();
    expect(latest?.total).toEqual(total);
    expect(latest?.instances.map((i) => i.points.length)).toEqual([1, 1]);
  });

  it('compares a new version against the old one once both have enough requests', async () => {
    const [old, next] = [await target(), await target()];
    const clock = manualClock(0);
    const source = createScrapeSource(
      {
        targets: [old.url, next.url],
        intervalMs: 5000,
        retentionMs: 60_000,
        canary: { minRequests: 200, errorRatioMargin: 0.01, p95Factor: 1.5 },
      },
      clock,
    );
    const b2 = ['0.1', '1', '+Inf'];
    const serve = (
      oldCounts: { ok: number[]; err: number[] },
      nextCounts: { ok: number[]; err: number[] },
    ) => {
      old.body = exposition({
        instance: 'old-1',
        version: '1.0.0',
        bounds: b2,
        http: [
          { status: '200', counts: oldCounts.ok },
          { status: '500', counts: oldCounts.err },
        ],
      });
      next.body = exposition({
        instance: 'new-1',
        version: '1.1.0',
        bounds: b2,
        http: [
          { status: '200', counts: nextCounts.ok },
          { status: '500', counts: nextCounts.err },
        ],
      });
    };
    // The old version is seen first; the new one appears 5 s later.
    serve({ ok: [0, 0, 0], err: [0, 0, 0] }, { ok: [0, 0, 0], err: [0, 0, 0] });
    next.down = true;
    await source.scrapeOnce();
    next.down = false;
    clock.set(5000);
    await source.scrapeOnce();
    // 5 → 10 s: old 300 requests (3 errors, 1 %), new 100 requests: not enough for a verdict.
    serve({ ok: [297, 297, 297], err: [3, 3, 3] }, { ok: [100, 100, 100], err: [0, 0, 0] });
    clock.set(10_000);
    await source.scrapeOnce();
    let canary = (await source.report(60)).canary;
    expect(canary).toMatchObject({
      splitBy: 'version',
      baseline: '1.0.0',
      candidate: '1.1.0',
      verdict: 'insufficient_data',
    });
    expect(canary?.candidateRequests).toBe(100);
    expect(canary?.reasons.join(' ')).toContain('candidate 1.1.0 has 100 requests');

    // 10 → 15 s: the new version answers 200 more, 30 of them 500 → 30/300 = 10 % against 1 %.
    serve({ ok: [297, 297, 297], err: [3, 3, 3] }, { ok: [270, 270, 270], err: [30, 30, 30] });
    clock.set(15_000);
    await source.scrapeOnce();
    canary = (await source.report(60)).canary;
    expect(canary).toMatchObject({ verdict: 'degraded', baselineRequests: 300, candidateRequests: 300 });
    expect(canary?.candidateErrorRatio).toBeCloseTo(0.1, 12);
    expect(canary?.baselineErrorRatio).toBeCloseTo(0.01, 12);
    expect(canary?.reasons[0]).toMatch(/error ratio 10\.00 % exceeds baseline 1\.0\.0 1\.00 %/);
  });
});
