// GET /api/health over HTTP: the HealthReport of the source for the window asked, 15 minutes by default,
// and a 400 naming `window` for a window that is not a duration or is longer than the retention.
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthRoutes } from '../../collector/health/health-routes.ts';
import { createScrapeSource } from '../../collector/health/scrape-source.ts';
import type { HealthReport, HealthSource } from '../../collector/health/types.ts';
import { errorHandler } from '../../core/http/http-errors.ts';
import { exposition, manualClock, type StubTarget, startStubTarget } from './exposition-fixture.ts';

function serve(source: HealthSource, maxWindowSeconds: number): Promise<{ url: string; server: Server }> {
  const app = express();
  app.set('query parser', 'simple');
  app.use(healthRoutes(source, { maxWindowSeconds }));
  app.use(errorHandler(() => {}));
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
        server,
      });
    });
  });
}

describe('GET /api/health', () => {
  let stub: StubTarget;
  let url = '';
  let server: Server;
  const clock = manualClock(1_000_000);

  beforeAll(async () => {
    stub = await startStubTarget();
    stub.body = exposition({
      instance: 'agent-a',
      bounds: ['0.1', '+Inf'],
      http: [{ status: '200', counts: [1, 1] }],
    });
    const source = createScrapeSource(
      { targets: [stub.url], intervalMs: 5000, retentionMs: 6 * 3_600_000 },
      clock,
    );
    await source.scrapeOnce();
    ({ url, server } = await serve(source, 6 * 3600));
  });
  afterAll(async () => {
    server?.close();
    await stub?.close();
  });

  it('answers the report for a 15-minute window by default', async () => {
    const response = await fetch(`${url}/api/health`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as HealthReport;
    expect(report).toMatchObject({
      source: 'scrape',
      windowSeconds: 900,
      stepSeconds: 5,
      lastSuccessAt: 1_000_000,
    });
    expect(report.instances[0]).toMatchObject({
      instance: 'agent-a',
      up: true,
      version: '1.0.0',
      canary: false,
    });
    expect(report.total).toHaveLength(1);
  });

  it('reads the window as a duration up to the retention', async () => {
    for (const [window, seconds] of [
      ['1h', 3600],
      ['6h', 21_600],
      ['90s', 90],
    ] as const) {
      const report = (await (await fetch(`${url}/api/health?window=${window}`)).json()) as HealthReport;
      expect(report.windowSeconds).toBe(seconds);
    }
  });

  it('refuses a bad window with a 400 that names the parameter', async () => {
    for (const window of ['7h', 'abc', '15', '0m', '-5m']) {
      const response = await fetch(`${url}/api/health?window=${window}`);
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_parameter');
      expect(body.error.message).toMatch(/^window /);
    }
    const unknown = await fetch(`${url}/api/health?windw=1h`);
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('windw');
  });

  it('answers 503 when the source cannot report', async () => {
    const failing: HealthSource = {
      kind: 'prometheus',
      start() {},
      stop: async () => {},
      report: async () => {
        throw new Error('connection refused');
      },
      latest: async () => null,
      onTick: () => () => {},
    };
    const other = await serve(failing, 3600);
    const response = await fetch(`${other.url}/api/health`);
    other.server.close();
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'health_source_unavailable',
    );
  });
});
