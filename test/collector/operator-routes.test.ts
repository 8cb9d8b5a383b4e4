// The collector's operator routes over real HTTP with the real services behind them: every route refused
// without a token (401) and with a wrong one, served to the operator and the founder; /metrics for the
// founder or the metrics token but not the operator (it shows revenue); server-sent events delivering a
// health tick from a real scrape of a stub agent; /api/health answering 503 with a reason when no health
// source is configured.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../collector/server.ts';
import { startTestCollector, testTokens } from '../support/collector.ts';

const metricsToken = 'prometheus-scrape-token-0123';

/** A stub agent: a few requests' worth of metrics, the counter growing on every scrape. */
function stubAgentText(scrape: number): string {
  const labels =
    'service_instance_id="stub-1",service_version="1.0.0",http_route="/api/artists/:id",http_request_method="GET",http_response_status_code="200"';
  return [
    '# TYPE http_server_request_duration histogram',
    `http_server_request_duration_bucket{${labels},le="0.1"} ${10 * scrape}`,
    `http_server_request_duration_bucket{${labels},le="+Inf"} ${10 * scrape}`,
    `http_server_request_duration_sum{${labels}} ${0.5 * scrape}`,
    `http_server_request_duration_count{${labels}} ${10 * scrape}`,
    '',
  ].join('\n');
}

type Role = keyof typeof testTokens | 'wrong' | 'metrics' | undefined;

function authorization(role: Role): Record<string, string> {
  if (!role) return {};
  const token =
    role === 'wrong' ? 'not-a-real-token-at-all' : role === 'metrics' ? metricsToken : testTokens[role];
  return { authorization: `Bearer ${token}` };
}

describe('collector operator routes', () => {
  let agent: Server;
  let collector: RunningCollector;
  let scrapes = 0;

  beforeAll(async () => {
    agent = createServer((_req, res) => {
      scrapes += 1;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(stubAgentText(scrapes));
    });
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    const { port } = agent.address() as AddressInfo;
    collector = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      {
        metricsToken,
        health: {
          agentMetricsUrls: [`http://127.0.0.1:${port}/metrics`],
          scrapeIntervalMs: 1_000,
          retentionMs: 3_600_000,
        },
      },
    );
  });

  afterAll(async () => {
    await collector?.stop();
    agent?.close();
  });

  const call = (path: string, role: Role, init: RequestInit = {}) =>
    fetch(`${collector.url}${path}`, {
      ...init,
      headers: { ...authorization(role), ...(init.headers as Record<string, string>) },
    });

  const operatorPaths = [
    '/api/health?window=5m',
    '/api/alerts',
    '/api/scaling',
    '/api/scaling/items/cdn/records',
  ];

  for (const path of operatorPaths) {
    it(`GET ${path}: 401 without or with a wrong token, 200 to operator and founder`, async () => {
      expect((await call(path, undefined)).status).toBe(401);
      expect((await call(path, 'wrong')).status).toBe(401);
      expect((await call(path, 'metrics')).status).toBe(401);
      expect((await call(path, 'operator')).status).toBe(200);
      expect((await call(path, 'founder')).status).toBe(200);
    });
  }

  it('records a manual scaling item for an operator, refuses it without a token, writing nothing', async () => {
    const body = JSON.stringify({ done: true, recordedBy: 'ops on call', note: 'CloudFront in front' });
    const init = { method: 'POST', body, headers: { 'content-type': 'application/json' } };
    expect((await call('/api/scaling/items/cdn', undefined, init)).status).toBe(401);
    const records = async () =>
      ((await (await call('/api/scaling/items/cdn/records', 'operator')).json()) as { records: unknown[] })
        .records;
    expect(await records()).toHaveLength(0);
    expect((await call('/api/scaling/items/cdn', 'operator', init)).status).toBe(200);
    expect(await records()).toHaveLength(1);
  });

  it('gives the catalog to an operator with the unit of each alert rule, and no founder-only rule', async () => {
    const catalog = (await (await call('/api/catalog', 'operator')).json()) as {
      alertRules: { name: string; unit: string; audience: string }[];
    };
    const unitOf = (name: string) => catalog.alertRules.find((rule) => rule.name === name)?.unit;
    expect(unitOf('ApiLatencyHigh')).toBe('seconds');
    expect(unitOf('EmbeddedDatabaseTooManyUsers')).toBe('count');
    expect(unitOf('HeapUsedHigh')).toBe('bytes');
    expect(catalog.alertRules.filter((rule) => rule.audience === 'founder')).toEqual([]);
  });

  it('serves /metrics to the founder and the metrics token, not to the operator', async () => {
    expect((await call('/metrics', undefined)).status).toBe(401);
    expect((await call('/metrics', 'operator')).status).toBe(403);
    for (const role of ['founder', 'metrics'] as const) {
      const response = await call('/metrics', role);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(/^pledgr_users\{period="current_month"\} 0$/m);
      expect(text).toMatch(
        /^pledgr_alert_state\{alertname="EmbeddedDatabaseTooManyUsers",severity="\w+"\} 0$/m,
      );
    }
  });

  it('streams a health event from a real scrape to an operator, and refuses the stream without a token', async () => {
    expect((await call('/api/events', undefined)).status).toBe(401);
    const abort = new AbortController();
    const response = await call('/api/events', 'operator', { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!/event: health\ndata: \{.*"requestsPerSecond":\d/.test(text) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    abort.abort();
    // 10 requests per 1 s scrape: once two scrapes have been seen, the rate is positive.
    expect(text).toMatch(/event: health\ndata: \{.*"requestsPerSecond":\d/);
  });
});

describe('collector without a health source', () => {
  let collector: RunningCollector;

  beforeAll(async () => {
    collector = await startTestCollector({ kind: 'embedded', dataDir: 'memory://' });
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it('answers /api/health with 503 naming the settings', async () => {
    const response = await fetch(`${collector.url}/api/health`, {
      headers: { authorization: `Bearer ${testTokens.operator}` },
    });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      error: { code: 'health_source_not_configured', message: expect.stringMatching(/AGENT_METRICS_URLS/) },
    });
  });
});
