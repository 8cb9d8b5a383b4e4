// The agent as it runs in production — its own process with the OpenTelemetry preload: exact request counts
// by route template and status, query durations by query name, an unknown path adding no series, no
// personal data anywhere in the metrics, the rate-limit counter, and OTLP push to a receiver on loopback.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentProcess, postJson, samples, scrape, startAgentProcess } from '../support/agent-process.ts';

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pulse-agent-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const secretEmail = 'very.private.person@example.org';
const secretName = 'Zelda Secretname';

describe('agent metrics on the Prometheus endpoint', () => {
  let agent: AgentProcess;
  let token = '';

  beforeAll(async () => {
    agent = await startAgentProcess({
      PULSE_DATA_DIR: await dataDir(),
      RATE_LIMIT_API: 'off',
      RATE_LIMIT_AUTH: '5/15m',
      DEPLOYMENT_COLOR: 'green',
    });
    const registered = await postJson(`${agent.url}/api/auth/register`, {
      email: secretEmail,
      password: 'private pass',
      name: secretName,
    });
    token = (registered.body as { token: string }).token;
    await postJson(`${agent.url}/api/artists`, { name: 'Metric Band' }, { authorization: `Bearer ${token}` });
  });
  afterAll(async () => {
    await agent?.stop();
  });

  it('counts exactly the requests made, by route template and status', async () => {
    for (let i = 0; i < 3; i++) await fetch(`${agent.url}/api/artists/1`);
    for (let i = 0; i < 2; i++) await fetch(`${agent.url}/api/artists/424242`);
    const { families } = await scrape(agent);
    const count = (status: string) =>
      samples(families, 'http_server_request_duration', {
        http_route: '/api/artists/:id',
        http_response_status_code: status,
        http_request_method: 'GET',
      })
        .map((sample) => Number(sample.count))
        .reduce((a, b) => a + b, 0);
    expect(count('200')).toBe(3);
    expect(count('404')).toBe(2);
    const registerCount = samples(families, 'http_server_request_duration', {
      http_route: '/api/auth/register',
      http_response_status_code: '201',
    });
    expect(registerCount.map((sample) => sample.count)).toEqual([1]);
    const finds = samples(families, 'db_client_operation_duration', {
      db_query_summary: 'artists.find',
      db_operation_name: 'SELECT',
    });
    expect(finds.map((sample) => sample.count)).toEqual([5]);
    // Every series carries the instance, version and deployment colour.
    expect(finds[0]?.labels).toMatchObject({
      service_name: 'pledgr-agent',
      deployment_color: 'green',
      service_version: '0.1.0',
    });
  });

  it('adds no series for unknown paths, however many', async () => {
    await fetch(`${agent.url}/no/such/path-1`);
    const series = (text: string) =>
      text.split('\n').filter((line) => line.startsWith('http_server_request_duration_count')).length;
    const before = series((await scrape(agent)).text);
    for (const path of ['/no/such/path-2', '/users/123', '/api/artists/1/extra', '/%2e%2e/etc/passwd'])
      await fetch(`${agent.url}${path}`);
    expect(series((await scrape(agent)).text)).toBe(before);
  });

  it('serves the runtime, memory and pool metrics under their OpenTelemetry names', async () => {
    const { families } = await scrape(agent);
    for (const name of [
      'nodejs_eventloop_delay_p99',
      'v8js_memory_heap_used',
      'v8js_gc_duration',
      'process_memory_usage',
      'db_client_connection_count',
      'db_client_connection_max',
      'db_client_connection_pending_requests',
    ]) {
      expect(families[name]?.data.length ?? 0, name).toBeGreaterThan(0);
    }
    expect(Number(samples(families, 'process_memory_usage')[0]?.value)).toBeGreaterThan(10_000_000);
    // A limiter that is on shows its rejection series at 0 before any refusal; one that is off shows none.
    const rejections = (limiter: string) =>
      samples(families, 'pledgr_rate_limit_rejections_total', { pledgr_rate_limiter: limiter });
    expect(rejections('auth').map((sample) => sample.value)).toEqual([0]);
    expect(rejections('api')).toEqual([]);
    // Its settings too, for the scaling checklist's "Rate Limiting" (the guide: Auth 5 requests/15min).
    const setting = (name: string, limiter: string) =>
      samples(families, name, { pledgr_rate_limiter: limiter }).map((sample) => sample.value);
    expect(setting('pledgr_rate_limit_limit', 'auth')).toEqual([5]);
    expect(setting('pledgr_rate_limit_window_seconds', 'auth')).toEqual([900]);
    expect(setting('pledgr_rate_limit_limit', 'api')).toEqual([]);
    // No TRUST_PROXY: it trusts no proxy, and says so.
    expect(samples(families, 'pledgr_http_trusted_proxies').map((sample) => sample.value)).toEqual([0]);
    // Each runtime instrument is registered once: one event-loop p99 series, not one per registration.
    expect(samples(families, 'nodejs_eventloop_delay_p99')).toHaveLength(1);
    expect(samples(families, 'db_client_connection_max')[0]?.value).toBe(1);
  });

  it('refuses the sixth login in the window with 429 and Retry-After, and counts it', async () => {
    // The registration above used one request of the auth window.
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const response = await postJson(`${agent.url}/api/auth/login`, {
        email: secretEmail,
        password: 'private pass',
      });
      statuses.push(response.status);
      retryAfter ??= response.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const { families } = await scrape(agent);
    expect(
      samples(families, 'pledgr_rate_limit_rejections_total', { pledgr_rate_limiter: 'auth' })[0]?.value,
    ).toBe(1);
  });

  it('never shows an email, a name or a token in the metrics', async () => {
    const { text } = await scrape(agent);
    for (const secret of [secretEmail, secretName, token, 'very.private', 'Secretname'])
      expect(text).not.toContain(secret);
  });
});

describe('agent OTLP push', () => {
  let receiver: Server;
  const bodies: unknown[] = [];
  const traceBodies: unknown[] = [];

  beforeAll(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        if (req.url === '/v1/metrics') bodies.push(JSON.parse(body));
        if (req.url === '/v1/traces') traceBodies.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    receiver?.close();
  });

  it('sends decodable metrics, with the resource attributes, to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const port = (receiver.address() as { port: number }).port;
    const agent = await startAgentProcess({
      PULSE_DATA_DIR: await dataDir(),
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
      DEPLOYMENT_ENVIRONMENT: 'test',
    });
    try {
      await fetch(`${agent.url}/api/artists`);
      const deadline = Date.now() + 15_000;
      const names = () =>
        JSON.stringify(bodies)
          .match(/"name":"[a-z.._]+"/g)
          ?.map((match) => match.slice(8, -1)) ?? [];
      while (!names().includes('http.server.request.duration') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(names()).toContain('http.server.request.duration');
      expect(names()).toContain('db.client.operation.duration');
      const resource = JSON.stringify(
        (bodies[0] as { resourceMetrics: { resource: unknown }[] }).resourceMetrics[0]?.resource,
      );
      expect(resource).toContain('"service.name"');
      expect(resource).toContain('"pledgr-agent"');
      expect(resource).toContain('"deployment.environment"');
    } finally {
      await agent.stop();
    }
  });

  it('exports spans when OTEL_TRACES_EXPORTER asks, and still counts each request and query once', async () => {
    const port = (receiver.address() as { port: number }).port;
    const agent = await startAgentProcess({
      PULSE_DATA_DIR: await dataDir(),
      RATE_LIMIT_API: 'off',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    try {
      for (let i = 0; i < 4; i++) expect((await fetch(`${agent.url}/api/artists/77`)).status).toBe(404);
      const deadline = Date.now() + 15_000;
      while (!JSON.stringify(traceBodies).includes('/api/artists/:id') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // instrumentation-http's server span, named by instrumentation-express's route template.
      expect(JSON.stringify(traceBodies)).toContain('"GET /api/artists/:id"');
      const { families } = await scrape(agent);
      const requests = samples(families, 'http_server_request_duration', { http_route: '/api/artists/:id' });
      expect(requests.map((sample) => sample.count)).toEqual([4]);
      const finds = samples(families, 'db_client_operation_duration', { db_query_summary: 'artists.find' });
      expect(finds.map((sample) => sample.count)).toEqual([4]);
      // The instrumentations' own copies of these metrics are dropped by views.
      expect(samples(families, 'http_server_request_duration')).toHaveLength(
        samples(families, 'http_server_request_duration', { otel_scope_name: 'pledgr-agent' }).length,
      );
    } finally {
      await agent.stop();
    }
  });
});

describe('agent with the SDK disabled', () => {
  it('serves the API and no metrics endpoint when OTEL_SDK_DISABLED=true', async () => {
    const agent = await startAgentProcess({ PULSE_DATA_DIR: await dataDir(), OTEL_SDK_DISABLED: 'true' });
    try {
      expect((await fetch(`${agent.url}/api/artists`)).status).toBe(200);
      await expect(fetch(agent.metricsUrl)).rejects.toThrow();
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });
});
