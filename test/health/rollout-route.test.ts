// The rollout walk through GET /api/health and the built-in scraper: two agents of two versions serving
// hand-written exposition text, scraped with a hand-moved clock, walk the guide's canary steps — about 5 %
// with too few requests ("not enough traffic yet"), about 5 % and healthy, then more traffic to a canary that
// fails → roll back — and the same answer carries the blue-green walk and the comparison's figures.
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../collector/health/health-routes.ts';
import type { HealthResponse } from '../../collector/health/rollout.ts';
import { createScrapeSource, type ScrapeSource } from '../../collector/health/scrape-source.ts';
import { errorHandler } from '../../core/http/http-errors.ts';
import { exposition, manualClock, type StubTarget, startStubTarget } from './exposition-fixture.ts';

const bounds = ['0.1', '1', '+Inf'];

describe('GET /api/health rollout, scraping two versions', () => {
  let old: StubTarget;
  let next: StubTarget;
  let source: ScrapeSource;
  let server: Server;
  let url = '';
  const clock = manualClock(0);

  /** Cumulative answers so far: all fast; `errors` of the new version's are 500s. */
  const serve = (oldOk: number, nextOk: number, nextErrors = 0) => {
    old.body = exposition({
      instance: 'old-1',
      version: '1.0.0',
      bounds,
      http: [{ status: '200', counts: [oldOk, oldOk, oldOk] }],
    });
    next.body = exposition({
      instance: 'new-1',
      version: '1.1.0',
      canary: true,
      bounds,
      http: [
        { status: '200', counts: [nextOk, nextOk, nextOk] },
        { status: '500', counts: [nextErrors, nextErrors, nextErrors] },
      ],
    });
  };
  const scrapeAt = async (ms: number) => {
    clock.set(ms);
    await source.scrapeOnce();
  };
  const health = async () => {
    const response = await fetch(`${url}/api/health?window=5m`);
    expect(response.status).toBe(200);
    return (await response.json()) as HealthResponse;
  };

  beforeAll(async () => {
    [old, next] = await Promise.all([startStubTarget(), startStubTarget()]);
    source = createScrapeSource(
      {
        targets: [old.url, next.url],
        intervalMs: 5000,
        retentionMs: 600_000,
        canary: { minRequests: 200, errorRatioMargin: 0.01, p95Factor: 1.5 },
      },
      clock,
    );
    const app = express();
    app.set('query parser', 'simple');
    app.use(healthRoutes(source, { maxWindowSeconds: 600, minRequests: 200 }));
    app.use(errorHandler(() => {}));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    server?.close();
    await Promise.all([old?.close(), next?.close()]);
  });

  it('walks the canary steps: not enough traffic yet, healthy at 5 %, failing at a larger share → roll back', async () => {
    serve(0, 0);
    await scrapeAt(0);
    // 0 → 5 s: 950 old, 50 new — 5 %, but 50 < 200 requests for a verdict.
    serve(950, 50);
    await scrapeAt(5000);
    let body = await health();
    expect(body.canary).toMatchObject({ candidate: '1.1.0', verdict: 'insufficient_data' });
    expect(body.rollout).toMatchObject({
      active: true,
      suggested: 'canary',
      candidate: '1.1.0',
      baseline: '1.0.0',
    });
    expect(body.rollout?.candidateShare).toBeCloseTo(0.05, 12);
    expect(body.rollout?.canary).toMatchObject({ currentStep: 2, verdict: 'wait' });
    expect(body.rollout?.canary.summary).toContain('Not enough traffic yet: candidate 1.1.0 has 50 requests');

    // 5 → 10 s: 2850 old, 150 new — still 5 %, 200 new requests without errors: healthy.
    serve(3800, 200);
    await scrapeAt(10_000);
    body = await health();
    expect(body.canary?.verdict).toBe('healthy');
    expect(body.rollout?.canary).toMatchObject({ currentStep: 2, verdict: 'pass' });
    expect(body.rollout?.canary.steps.map((s) => [s.title, s.state])).toEqual([
      ['Deploy to 5% of users', 'done'],
      ['Monitor metrics', 'current'],
      ['Gradually increase to 100%', 'upcoming'],
      ['Full deployment if successful', 'upcoming'],
    ]);

    // 10 → 15 s: the share goes up to 1000 of 2000, and 300 of the new version's answers are 500s.
    serve(4800, 900, 300);
    await scrapeAt(15_000);
    body = await health();
    expect(body.canary?.verdict).toBe('degraded');
    expect(body.rollout?.candidateShare).toBeCloseTo(1200 / 6000, 12);
    expect(body.rollout?.canary).toMatchObject({ currentStep: 3, verdict: 'fail' });
    expect(body.rollout?.canary.nextAction).toMatch(/^Roll back: route every request to 1\.0\.0/);
    // The blue-green walk of the same report: green has 20 % (under half), so it is still on "Test thoroughly", failed.
    expect(body.rollout?.blueGreen).toMatchObject({ currentStep: 2, verdict: 'fail' });
  });
});
