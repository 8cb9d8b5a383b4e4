// The detected items whose signal comes from the agents' series, both ways: "Load balancing" (more than one
// instance AND each trusting a proxy), "Advanced caching" (the profile cache's look-up series, with the hit
// ratio), "Rate Limiting" (both limiters on with the guide's settings). The agents' setting series are read
// over real HTTP from an exposition text like the agent's, by service_instance_id.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AgentInstanceSeries,
  type AgentSeriesReading,
  createAgentSeriesReader,
} from '../../collector/scaling/agent-series.ts';
import { type DetectionFacts, detectItem } from '../../collector/scaling/detect-items.ts';
import type { ScalingHealthInputs } from '../../collector/scaling/scaling-types.ts';
import type { DetectionSignal } from '../../core/scaling/scaling-guide.ts';
import { postgresSettings } from './scaling-support.ts';

const inputs = (overrides: Partial<ScalingHealthInputs> = {}): ScalingHealthInputs => ({
  instanceCount: 2,
  lastSuccessAt: Date.parse('2026-06-01T00:00:00Z'),
  instancesWithRateLimiter: 2,
  instancesWithCache: 0,
  profileCache: null,
  ...overrides,
});

const guideLimits = { api: { limit: 100, windowSeconds: 900 }, auth: { limit: 5, windowSeconds: 900 } };
const agent = (instance: string, overrides: Partial<AgentInstanceSeries> = {}): AgentInstanceSeries => ({
  instance,
  rateLimits: guideLimits,
  trustedProxies: 1,
  ...overrides,
});

function detect(
  kind: DetectionSignal['kind'],
  health: ScalingHealthInputs,
  series: AgentSeriesReading | string,
) {
  const facts: DetectionFacts = {
    database: postgresSettings,
    redisConfigured: true,
    health: { ok: true, inputs: health },
    agentSeries: typeof series === 'string' ? { ok: false, reason: series } : { ok: true, value: series },
    exposedFiles: { ok: false, reason: 'not looked at' },
    signals: { users: 0, indexes: new Map(), loadTestUsers: 0, latestLoadTestAt: null, legacyFollow: [] },
    now: new Date('2026-06-01T00:00:00Z'),
    monitoringFreshSeconds: 120,
  };
  return detectItem({ kind } as DetectionSignal, facts);
}

describe('Load balancing', () => {
  it('is done with two instances that both trust a proxy', () => {
    expect(detect('loadBalancing', inputs(), { instances: [agent('a'), agent('b')] })).toEqual({
      status: 'done',
      evidence: '2 agent instances answering scrapes, each trusting a proxy (TRUST_PROXY set)',
    });
  });

  it('is to do with one instance, or with two of which one trusts no proxy', () => {
    expect(detect('loadBalancing', inputs({ instanceCount: 1 }), { instances: [agent('a')] })).toEqual({
      status: 'todo',
      evidence: '1 agent instance answering scrapes: load balancing needs more than one',
    });
    expect(
      detect('loadBalancing', inputs(), { instances: [agent('a'), agent('b', { trustedProxies: 0 })] }),
    ).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining('1 of 2 instances reporting trust a proxy'),
    });
  });

  it('says what it saw when "behind a proxy" cannot be observed (no trusted-proxies series)', () => {
    expect(detect('loadBalancing', inputs(), { instances: [] })).toEqual({
      status: 'unknown',
      evidence:
        '2 agent instances answering scrapes; whether they sit behind a proxy cannot be observed (no instance exports pledgr_http_trusted_proxies)',
    });
  });
});

describe('Advanced caching', () => {
  it('is done when every instance exports the profile cache series, with the hit ratio', () => {
    const cached = inputs({
      instancesWithCache: 2,
      profileCache: { hits: 900, misses: 90, errors: 10, lookups: 1_000, hitRatio: 0.9 },
    });
    expect(detect('cacheLookups', cached, { instances: [] })).toEqual({
      status: 'done',
      evidence:
        '2 of 2 instances cache user profiles in Redis, hit ratio 90 % over the last hour (1,000 look-ups: 900 hits, 90 misses, 10 errors)',
    });
    expect(detect('cacheLookups', inputs({ instancesWithCache: 2 }), { instances: [] }).evidence).toBe(
      '2 of 2 instances cache user profiles in Redis, no look-ups in the last hour',
    );
  });

  it('is to do when no instance, or not every instance, caches', () => {
    expect(detect('cacheLookups', inputs(), { instances: [] })).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining('no instance caches user profiles'),
    });
    expect(detect('cacheLookups', inputs({ instancesWithCache: 1 }), { instances: [] })).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining('1 of 2 instances cache user profiles in Redis'),
    });
  });
});

describe('Rate Limiting (the guide: API 100 requests/15min, Auth 5 requests/15min)', () => {
  it('is done when both limiters run with the guide’s settings on every instance', () => {
    expect(detect('rateLimitSettings', inputs(), { instances: [agent('a'), agent('b')] })).toEqual({
      status: 'done',
      evidence:
        '2 instances: api 100/15min, auth 5/15min (the guide: API 100 requests/15min, Auth 5 requests/15min)',
    });
    // Stricter than the guide counts too.
    const stricter = agent('a', {
      rateLimits: { api: { limit: 50, windowSeconds: 900 }, auth: guideLimits.auth },
    });
    expect(detect('rateLimitSettings', inputs({ instanceCount: 1 }), { instances: [stricter] }).status).toBe(
      'done',
    );
  });

  it('is to do when a limiter is off, looser than the guide, or missing on one instance', () => {
    const apiOff = agent('a', { rateLimits: { auth: guideLimits.auth } });
    expect(detect('rateLimitSettings', inputs({ instanceCount: 1 }), { instances: [apiOff] })).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining('1 of 1 instance run no api limiter'),
    });
    const loose = agent('a', {
      rateLimits: { api: guideLimits.api, auth: { limit: 50, windowSeconds: 900 } },
    });
    expect(detect('rateLimitSettings', inputs({ instanceCount: 1 }), { instances: [loose] })).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining("auth allows more than the guide's 5/15min on 1 instance"),
    });
    const shortWindow = agent('a', {
      rateLimits: { api: { limit: 100, windowSeconds: 60 }, auth: guideLimits.auth },
    });
    expect(
      detect('rateLimitSettings', inputs({ instanceCount: 1 }), { instances: [shortWindow] }).status,
    ).toBe('todo');
    // Two answering, one exports no limiter settings at all.
    expect(detect('rateLimitSettings', inputs(), { instances: [agent('a')] })).toMatchObject({
      status: 'todo',
      evidence: expect.stringContaining('1 of 2 instances run no api limiter'),
    });
  });

  it('is unknown while the agents cannot be read', () => {
    expect(detect('rateLimitSettings', inputs(), 'no agent answered')).toEqual({
      status: 'unknown',
      evidence: 'no agent answered',
    });
  });
});

describe('the agents’ setting series over HTTP', () => {
  let server: Server;
  let url = '';
  const exposition = (instance: string, extra: string) => `# HELP pledgr_rate_limit_limit Requests
# TYPE pledgr_rate_limit_limit gauge
pledgr_rate_limit_limit{service_instance_id="${instance}",pledgr_rate_limiter="api"} 100
pledgr_rate_limit_limit{service_instance_id="${instance}",pledgr_rate_limiter="auth"} 5
# HELP pledgr_rate_limit_window_seconds Window
# TYPE pledgr_rate_limit_window_seconds gauge
pledgr_rate_limit_window_seconds{service_instance_id="${instance}",pledgr_rate_limiter="api"} 900
pledgr_rate_limit_window_seconds{service_instance_id="${instance}",pledgr_rate_limiter="auth"} 900
${extra}`;
  let body = exposition('inst-1', '');

  beforeAll(async () => {
    server = createServer((_req, res) => res.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the limiters’ settings and the trusted proxies by instance, or their absence', async () => {
    const read = createAgentSeriesReader({ agentMetricsUrls: [url], cacheMs: 0 });
    expect(await read?.()).toEqual({
      instances: [{ instance: 'inst-1', rateLimits: guideLimits, trustedProxies: null }],
    });
    body = exposition(
      'inst-2',
      `# HELP pledgr_http_trusted_proxies Proxies
# TYPE pledgr_http_trusted_proxies gauge
pledgr_http_trusted_proxies{service_instance_id="inst-2"} 2
`,
    );
    expect((await read?.())?.instances).toEqual([
      { instance: 'inst-2', rateLimits: guideLimits, trustedProxies: 2 },
    ]);
    expect(createAgentSeriesReader({ agentMetricsUrls: [] })).toBeNull();
    const unreachable = createAgentSeriesReader({
      agentMetricsUrls: ['http://127.0.0.1:9/metrics'],
      timeoutMs: 500,
    });
    await expect(unreachable?.()).rejects.toThrow('no agent answered');
  });
});
