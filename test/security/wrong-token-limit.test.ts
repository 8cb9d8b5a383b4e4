// Wrong collector tokens are limited per client address (RATE_LIMIT_AUTH_FAILURES, 20 per minute by
// default): the 21st wrong token of the window gets 429 rate_limited with Retry-After instead of 401, on
// every protected route; requests without a token, with a right token or with a role too low for the route
// are never counted nor refused; and one log line per address and window names the address, never a token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../collector/config.ts';
import { type RunningCollector, startCollector } from '../../collector/server.ts';
import { testTokens } from '../support/collector.ts';

const metricsToken = 'prometheus-scrape-token-0123';
const wrongToken = (i: number) => `wrong-token-${i}-${'x'.repeat(20)}`;

describe('the wrong-token limit (defaults: 20 per minute per address)', () => {
  let collector: RunningCollector;
  const logged: string[] = [];
  // What the limit logged: the collector's own start-up lines (the alert lease taken) are not its business.
  const limitLines = () => logged.filter((line) => !line.startsWith('alerts: '));
  const get = (path: string, token?: string) =>
    fetch(`${collector.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    const { limits } = loadCollectorConfig({});
    collector = await startCollector(
      {
        database: { kind: 'embedded', dataDir: 'memory://' },
        currency: 'USD',
        host: '127.0.0.1',
        port: 0,
        founderToken: testTokens.founder,
        operatorToken: testTokens.operator,
        metricsToken,
        health: { agentMetricsUrls: [], scrapeIntervalMs: 5_000, retentionMs: 3_600_000 },
        alerts: { evaluationIntervalMs: 60_000 },
        redisConfigured: false,
        ...(limits ? { limits } : {}),
      },
      (message) => logged.push(message),
    );
  }, 60_000);
  afterAll(async () => {
    await collector?.stop();
  });

  it('never counts requests without a token', async () => {
    for (let i = 0; i < 50; i++) expect((await get('/api/session')).status).toBe(401);
    expect(limitLines()).toEqual([]);
  });

  it('answers the first 20 wrong tokens 401 and the rest of the window 429 with Retry-After, on every route', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await get('/api/health', wrongToken(i))).status);
    expect(statuses).toEqual(Array(20).fill(401));
    for (const [i, path] of [
      '/api/health',
      '/api/kpis',
      '/metrics',
      '/api/events',
      '/api/session',
    ].entries()) {
      const response = await get(path, wrongToken(100 + i));
      expect(response.status, path).toBe(429);
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await response.json()).toEqual({
        error: { code: 'rate_limited', message: `too many wrong tokens; retry after ${retryAfter} s` },
      });
    }
  });

  it('still serves right tokens from that address, and answers a role too low 403, not 429', async () => {
    expect((await get('/api/session', testTokens.operator)).status).toBe(200);
    expect((await get('/api/session', testTokens.founder)).status).toBe(200);
    expect((await get('/metrics', metricsToken)).status).toBe(200);
    expect((await get('/api/kpis/ltv', testTokens.operator)).status).toBe(403);
    expect((await get('/api/session')).status).toBe(401);
  });

  it('logs one line for the address and window, with no token in it', () => {
    expect(limitLines()).toHaveLength(1);
    expect(limitLines()[0]).toMatch(/^20 wrong tokens from (::ffff:)?127\.0\.0\.1 within 60 s/);
    for (const token of [testTokens.founder, testTokens.operator, metricsToken, 'wrong-token', 'xxxxxxxx'])
      expect(logged.join('\n')).not.toContain(token);
  });
});

describe('RATE_LIMIT_AUTH_FAILURES', () => {
  it('reads count/window or off, and names the variable when it is neither', () => {
    expect(loadCollectorConfig({ RATE_LIMIT_AUTH_FAILURES: '5/10s' }).limits?.authFailures).toEqual({
      limit: 5,
      windowMs: 10_000,
    });
    expect(loadCollectorConfig({ RATE_LIMIT_AUTH_FAILURES: 'off' }).limits?.authFailures).toBeNull();
    expect(() => loadCollectorConfig({ RATE_LIMIT_AUTH_FAILURES: '0/1m' })).toThrow(
      /RATE_LIMIT_AUTH_FAILURES \("0\/1m"\): must look like 100\/15m/,
    );
  });
});
