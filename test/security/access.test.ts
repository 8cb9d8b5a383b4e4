// Access, proven route by route. Every collector and agent route is read off the app's own router stack and
// must be in the role table below (an unclassified route fails), then called with no token, a wrong one and
// each role. The agent's bearer routes refuse garbage, expired and revoked tokens; the default auth limit
// refuses the 6th login of the window; sessions expire after SESSION_TTL_HOURS and logout revokes them.
// Finally the real agent and collector processes on PostgreSQL: no email, name, password or token in their
// output or their metrics.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentApp } from '../../agent/app.ts';
import { loadAgentConfig } from '../../agent/config.ts';
import { hashToken } from '../../agent/stores/session-store.ts';
import { createCollectorApp } from '../../collector/app.ts';
import { createCollectorMetrics } from '../../collector/metrics/kpi-gauges.ts';
import { dashboardDist } from '../../collector/routes/dashboard-routes.ts';
import { readScalingHealth } from '../../collector/scaling/health-inputs.ts';
import { createScalingService } from '../../collector/scaling/scaling-service.ts';
import type { RunningCollector } from '../../collector/server.ts';
import { createTrafficSource } from '../../collector/slo/create-traffic-source.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { sloCatalog } from '../../core/slo/slo-catalog.ts';
import { type AgentProcess, freePort, samples, scrape, startAgentProcess } from '../support/agent-process.ts';
import { startTestCollector, testTokens } from '../support/collector.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';
import { cliBin } from '../support/run-cli.ts';
import { routesOf, unclassified } from './route-table.ts';

async function listen(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Status and headers only; the body is dropped (the event stream never ends). */
async function statusOf(url: string, method: string, token?: string) {
  const controller = new AbortController();
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const hasBody = method === 'POST' || method === 'PATCH';
  if (hasBody) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    signal: controller.signal,
    ...(hasBody ? { body: '{}' } : {}),
  });
  controller.abort();
  return { status: response.status, headers: response.headers };
}

// ---------------------------------------------------------------------------------------------------- collector

type CollectorAccess = 'open' | 'operator' | 'founder';

/** Every collector route and who may call it. A route the app answers but this table lacks fails the test. */
const collectorTable: Record<string, CollectorAccess> = {
  'GET /healthz': 'open',
  'GET /': 'open',
  'GET /index.html': 'open',
  'GET /assets/*': 'open',
  'GET /favicon.svg': 'open',
  'GET /favicon.ico': 'open',
  'GET /metrics': 'founder',
  'GET /api/kpis': 'founder',
  'GET /api/kpis/artists': 'founder',
  'GET /api/kpis/cohorts': 'founder',
  'GET /api/kpis/ltv': 'founder',
  'GET /api/session': 'operator',
  'GET /api/catalog': 'operator',
  'GET /api/health': 'operator',
  'GET /api/alerts': 'operator',
  'GET /api/slo': 'operator',
  'GET /api/scaling': 'operator',
  'POST /api/scaling/items/:id': 'operator',
  'GET /api/scaling/items/:id/records': 'operator',
  'GET /api/events': 'operator',
};

/** A concrete path for a route template: an existing asset, a manual scaling item. */
function concretePath(template: string): string {
  if (template === '/assets/*') {
    const asset = readdirSync(`${dashboardDist}assets`)[0];
    return `/assets/${asset}`;
  }
  return template.replace(':id', 'automated-backups');
}

describe('collector: every route by role', () => {
  let collector: RunningCollector;
  let app: Express;
  let served: { url: string; close: () => Promise<void> };
  let routes: string[] = [];

  beforeAll(async () => {
    collector = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      {
        // A configured (if unreachable) agent, so the real /api/health routes are mounted.
        health: {
          agentMetricsUrls: ['http://127.0.0.1:9/metrics'],
          scrapeIntervalMs: 60_000,
          retentionMs: 3_600_000,
        },
      },
    );
    const { db, engine, health, alerts, events } = collector;
    app = createCollectorApp({
      db,
      engine,
      tokens: collector.tokens.tokens,
      currency: 'USD',
      health,
      healthRetentionSeconds: 3600,
      alerts,
      scaling: createScalingService({
        db,
        database: { kind: 'embedded' },
        redisConfigured: false,
        ...(health ? { readHealth: readScalingHealth(health) } : {}),
      }),
      metrics: createCollectorMetrics({ engine, alertStates: () => alerts.states() }),
      events,
      log: () => undefined,
      slo: {
        catalog: sloCatalog,
        source: createTrafficSource(health, { retentionMs: 3_600_000 }),
      },
    });
    served = await listen(app);
    routes = routesOf(app);
  });
  afterAll(async () => {
    await served?.close();
    await collector?.stop();
  });

  it('finds the routes on the router stack, and every one of them is classified', () => {
    // The enumeration is not vacuous: the API's own routes are found, including routers' nested ones.
    expect(routes).toContain('GET /api/kpis/cohorts');
    expect(routes).toContain('POST /api/scaling/items/:id');
    expect(routes).toContain('GET /api/health');
    expect(routes.length).toBeGreaterThanOrEqual(14);
    expect(unclassified(routes, collectorTable)).toEqual([]);
  });

  it('fails for a route nobody classified (a new route cannot ship unclassified)', () => {
    const extended = express();
    extended.use(app);
    const nested = express.Router();
    nested.get('/api/new-thing', (_req, res) => res.json({}));
    extended.use(nested);
    expect(unclassified(routesOf(extended), collectorTable)).toEqual(['GET /api/new-thing']);
  });

  it('answers each route as its role says: no token and a wrong one 401, operator 403 on founder routes', async () => {
    const wrong = 'not-a-real-token-at-all-0123';
    const problems: string[] = [];
    for (const route of routes) {
      const [method, template] = route.split(' ') as [string, string];
      const access = collectorTable[route];
      const url = `${served.url}${concretePath(template)}`;
      const none = await statusOf(url, method);
      const asWrong = await statusOf(url, method, wrong);
      const asOperator = await statusOf(url, method, testTokens.operator);
      const asFounder = await statusOf(url, method, testTokens.founder);
      const seen = `${route}: none ${none.status}, wrong ${asWrong.status}, operator ${asOperator.status}, founder ${asFounder.status}`;
      const statuses = [none, asWrong, asOperator, asFounder].map((answer) => answer.status);
      if (statuses.some((status) => status >= 500 && !(route === 'GET /' && status === 503)))
        problems.push(`5xx: ${seen}`);
      if (access === 'open') {
        if ([401, 403].includes(none.status)) problems.push(`open route refused: ${seen}`);
        continue;
      }
      if (none.status !== 401 || !none.headers.get('www-authenticate')?.startsWith('Bearer'))
        problems.push(`no token not 401 with WWW-Authenticate: ${seen}`);
      if (asWrong.status !== 401) problems.push(`wrong token not 401: ${seen}`);
      if (access === 'founder' && asOperator.status !== 403) problems.push(`operator not 403: ${seen}`);
      if (access === 'operator' && [401, 403].includes(asOperator.status))
        problems.push(`operator refused: ${seen}`);
      if ([401, 403].includes(asFounder.status)) problems.push(`founder refused: ${seen}`);
    }
    expect(problems).toEqual([]);
  });

  it('refuses HEAD, upper-case and trailing-slash variants of protected routes without a token', async () => {
    const leaks: string[] = [];
    for (const route of routes) {
      if (collectorTable[route] === 'open') continue;
      const [method, template] = route.split(' ') as [string, string];
      const path = concretePath(template);
      const variants: [string, string][] = [
        [method, path.toUpperCase()],
        [method, `${path}/`],
      ];
      if (method === 'GET') variants.push(['HEAD', path]);
      for (const [variantMethod, variantPath] of variants) {
        const { status } = await statusOf(`${served.url}${variantPath}`, variantMethod);
        if (status !== 401 && status !== 404) leaks.push(`${variantMethod} ${variantPath}: ${status}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

// -------------------------------------------------------------------------------------------------------- agent

type AgentAccess = 'open' | 'bearer' | 'logout';

/**
 * Every agent route. `logout` is its own kind: it answers 204 with or without a live token (revoking the
 * token when there is one), so it never tells a caller whether a token was valid.
 */
const agentTable: Record<string, AgentAccess> = {
  'GET /healthz': 'open',
  'GET /readyz': 'open',
  'POST /api/auth/register': 'open',
  'POST /api/auth/login': 'open',
  'POST /api/auth/logout': 'logout',
  'GET /api/me': 'bearer',
  'GET /api/me/pledges': 'bearer',
  'GET /api/artists': 'open',
  'GET /api/artists/:id': 'open',
  'POST /api/artists': 'bearer',
  'POST /api/pledges': 'bearer',
  'PATCH /api/pledges/:id': 'bearer',
  'DELETE /api/pledges/:id': 'bearer',
};

const setSessionTimes = defineQuery<
  { tokenHash: string; createdHoursAgo: number; expiresInMinutes: number },
  never
>(
  'test.setSessionTimes',
  `UPDATE sessions
      SET created_at = now() - make_interval(hours => :createdHoursAgo::int),
          expires_at = now() + make_interval(mins => :expiresInMinutes::int)
    WHERE token_hash = :tokenHash`,
);
const sessionLifetime = defineQuery<{ tokenHash: string }, { hours: number }>(
  'test.sessionLifetime',
  `SELECT extract(epoch FROM expires_at - created_at)::float8 / 3600 AS hours FROM sessions
    WHERE token_hash = :tokenHash`,
);

const defaults = loadAgentConfig({});
const agentConfig = (rateLimitAuth: typeof defaults.rateLimitAuth) => ({
  rateLimitApi: null,
  rateLimitAuth,
  sessionTtlHours: defaults.sessionTtlHours,
  faults: { routes: [], latencyMs: 0, errorRate: 0 },
  trustProxy: false as const,
});

async function postJson(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json().catch(() => null)) as Record<string, unknown>,
  };
}

describe('agent: bearer routes, expiry, revocation and the login limit', () => {
  let db: Db;
  let app: Express;
  let served: { url: string; close: () => Promise<void> };
  const email = 'access.tester@example.org';
  const password = 'correct horse battery';
  const login = async () =>
    (await postJson(`${served.url}/api/auth/login`, { email, password })).body.token as string;

  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: 'memory://' });
    await migrate(db);
    app = createAgentApp({ db, config: agentConfig(null), log: () => undefined });
    served = await listen(app);
    expect((await postJson(`${served.url}/api/auth/register`, { email, password })).status).toBe(201);
  });
  afterAll(async () => {
    await served?.close();
    await db?.close();
  });

  it('the defaults are the scaling guide’s: 5 logins per 15 min, sessions for 168 h', () => {
    expect(defaults.rateLimitAuth).toEqual({ limit: 5, windowMs: 900_000 });
    expect(defaults.sessionTtlHours).toBe(168);
  });

  it('classifies every route on the router stack', () => {
    const routes = routesOf(app);
    expect(routes).toContain('PATCH /api/pledges/:id');
    expect(routes).toContain('GET /api/me/pledges');
    expect(unclassified(routes, agentTable)).toEqual([]);
    expect(routes).toHaveLength(Object.keys(agentTable).length);
  });

  it('refuses bearer routes without a token and with garbage, unknown, expired and revoked tokens', async () => {
    const valid = await login();
    const expired = await login();
    await db.query(setSessionTimes, {
      tokenHash: hashToken(expired),
      createdHoursAgo: defaults.sessionTtlHours + 1,
      expiresInMinutes: -60,
    });
    const revoked = await login();
    expect((await statusOf(`${served.url}/api/auth/logout`, 'POST', revoked)).status).toBe(204);
    const refused: Record<string, string | undefined> = {
      none: undefined,
      garbage: 'garbage',
      unknown: randomBytes(32).toString('base64url'),
      expired,
      revoked,
    };
    const problems: string[] = [];
    for (const route of routesOf(app)) {
      const [method, template] = route.split(' ') as [string, string];
      const url = `${served.url}${template.replace(':id', '1')}`;
      const access = agentTable[route];
      if (access === 'logout') continue; // below: it revokes the token it is given
      if (access === 'open') {
        const { status } = await statusOf(url, method);
        if (status === 401 || status >= 500) problems.push(`${route} open but ${status}`);
        continue;
      }
      for (const [kind, token] of Object.entries(refused)) {
        const { status, headers } = await statusOf(url, method, token);
        if (status !== 401 || !headers.get('www-authenticate')?.startsWith('Bearer'))
          problems.push(`${route} with ${kind} token: ${status}`);
      }
      const { status } = await statusOf(url, method, valid);
      if (status === 401 || status >= 500) problems.push(`${route} with a live token: ${status}`);
    }
    expect(problems).toEqual([]);
  });

  it('logout answers 204 whatever the token, and revokes a live one: the same token is then 401', async () => {
    const token = await login();
    expect((await statusOf(`${served.url}/api/me`, 'GET', token)).status).toBe(200);
    for (const other of [undefined, 'garbage', randomBytes(32).toString('base64url')])
      expect((await statusOf(`${served.url}/api/auth/logout`, 'POST', other)).status).toBe(204);
    expect((await statusOf(`${served.url}/api/me`, 'GET', token)).status).toBe(200);
    expect((await statusOf(`${served.url}/api/auth/logout`, 'POST', token)).status).toBe(204);
    expect((await statusOf(`${served.url}/api/me`, 'GET', token)).status).toBe(401);
    expect((await statusOf(`${served.url}/api/auth/logout`, 'POST', token)).status).toBe(204);
    // Another session of the same user is untouched.
    expect((await statusOf(`${served.url}/api/me`, 'GET', await login())).status).toBe(200);
  });

  it('a session lives exactly SESSION_TTL_HOURS: alive a minute before its end, refused once older', async () => {
    const token = await login();
    const tokenHash = hashToken(token);
    const [lifetime] = await db.query(sessionLifetime, { tokenHash });
    expect(lifetime?.hours).toBeCloseTo(168, 9);
    // Created 168 h − 1 min ago: one minute left.
    await db.query(setSessionTimes, { tokenHash, createdHoursAgo: 168, expiresInMinutes: 1 });
    expect((await statusOf(`${served.url}/api/me`, 'GET', token)).status).toBe(200);
    // Created 168 h + 1 min ago: expired a minute ago.
    await db.query(setSessionTimes, { tokenHash, createdHoursAgo: 168, expiresInMinutes: -1 });
    expect((await statusOf(`${served.url}/api/me`, 'GET', token)).status).toBe(401);
  });

  it('refuses the 6th login in the window with 429 and Retry-After, whatever the password', async () => {
    // A second app instance over the same database, with the default auth limit (5 / 15 min), in-process.
    const limited = await listen(
      createAgentApp({ db, config: agentConfig(defaults.rateLimitAuth), log: () => undefined }),
    );
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await postJson(`${limited.url}/api/auth/login`, { email, password: `wrong password ${i}` }))
            .status,
        );
      expect(statuses).toEqual([401, 401, 401, 401, 401]);
      // The 6th, with the right password: refused before it is checked, so guessing gains nothing.
      const sixth = await postJson(`${limited.url}/api/auth/login`, { email, password });
      expect(sixth.status).toBe(429);
      expect(sixth.body).toMatchObject({ error: { code: 'rate_limited' } });
      const retryAfter = Number(sixth.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(890); // the window is 900 s and began a moment ago
      expect(retryAfter).toBeLessThanOrEqual(900);
      // The whole of /api/auth shares the window; the rest of the API does not.
      expect(
        (await postJson(`${limited.url}/api/auth/register`, { email: 'x@example.org', password })).status,
      ).toBe(429);
      expect((await statusOf(`${limited.url}/api/artists`, 'GET')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

// ----------------------------------------------------------------------------------------------- personal data

interface CollectorProcess {
  readonly url: string;
  output(): string;
  stop(): Promise<void>;
}

/** `pulse collector` in its own process, as in production; resolves once it prints its address. */
async function startCollectorProcess(env: Record<string, string>): Promise<CollectorProcess> {
  const child: ChildProcess = spawn(process.execPath, [cliBin, 'collector'], {
    env: { ...process.env, COLLECTOR_PORT: String(await freePort()), ...env },
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector not ready: ${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      const match = /Collector listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('exit', () => reject(new Error(`collector exited: ${output}`)));
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describeWithPostgres('no personal data in the processes’ output or metrics', () => {
  const email = 'quintessa.vantablack@private-mail.example';
  const name = 'Quintessa Vantablack';
  const password = 'Tr0ub4dor&3-unique-pw';
  const wrongPassword = 'Wr0ng-Tr0ub4dor-guess';
  let database: TempDatabase;
  let dataDir: string;
  let agent: AgentProcess;
  let collector: CollectorProcess;

  beforeAll(async () => {
    database = await createTempDatabase('pulse_access');
    dataDir = await mkdtemp(join(tmpdir(), 'pulse-access-'));
    // The agent's default limits (5 / 15 min on /api/auth), so the failing logins also meet the limiter.
    agent = await startAgentProcess({
      DATABASE_URL: database.url,
      PULSE_DATA_DIR: dataDir,
      RATE_LIMIT_API: 'off',
    });
    collector = await startCollectorProcess({
      DATABASE_URL: database.url,
      PULSE_DATA_DIR: dataDir,
      PULSE_FOUNDER_TOKEN: testTokens.founder,
      PULSE_OPERATOR_TOKEN: testTokens.operator,
      AGENT_METRICS_URLS: agent.metricsUrl,
      HEALTH_SCRAPE_INTERVAL: '1s',
    });
  });
  afterAll(async () => {
    await agent?.stop();
    await collector?.stop();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the email, name, password and tokens out of logs, agent metrics and collector metrics', async () => {
    const api = agent.url;
    // Auth window: register (1), an invalid registration (2), three wrong logins (3–5), the 6th refused.
    const registered = await postJson(`${api}/api/auth/register`, { email, password, name });
    expect(registered.status).toBe(201);
    const token = registered.body.token as string;
    expect(
      (await postJson(`${api}/api/auth/register`, { email, password: 'short', name, extra: email })).status,
    ).toBe(400);
    const logins: number[] = [];
    for (let i = 0; i < 4; i++)
      logins.push(
        (await postJson(`${api}/api/auth/login`, { email, password: `${wrongPassword}${i}` })).status,
      );
    expect(logins).toEqual([401, 401, 401, 429]);

    // Invalid bodies and paths carrying the personal data, on other routes.
    const send = (path: string, init: RequestInit) => fetch(`${api}${path}`, init).then((r) => r.status);
    const auth = { authorization: `Bearer ${token}` };
    const json = { ...auth, 'content-type': 'application/json' };
    expect(
      await send('/api/artists', { method: 'POST', headers: json, body: JSON.stringify({ name, email }) }),
    ).toBe(400);
    expect(
      await send('/api/pledges', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ artistId: email, amountCents: password }),
      }),
    ).toBe(400);
    expect(await send('/api/artists', { method: 'POST', headers: json, body: `{"name": "${email}", ` })).toBe(
      400,
    );
    expect(
      await send('/api/artists', {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: email,
      }),
    ).toBe(415);
    expect(
      await send('/api/artists', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ name: email.repeat(500) }),
      }),
    ).toBe(413);
    expect([400, 404]).toContain(await send(`/api/artists/${encodeURIComponent(email)}`, { headers: auth }));
    expect(
      await send('/api/me', { headers: { authorization: `Bearer ${email.replace(/\W/g, '')}0123456789` } }),
    ).toBe(401);
    expect(await send('/api/me', { headers: auth })).toBe(200);
    // The collector: the user's token is no collector token; bad parameters carrying the email.
    const atCollector = (path: string, init: RequestInit = {}) =>
      fetch(`${collector.url}${path}`, init).then((r) => r.status);
    expect(await atCollector('/api/health', { headers: auth })).toBe(401);
    const founder = { authorization: `Bearer ${testTokens.founder}` };
    expect(
      await atCollector(`/api/kpis?from=${encodeURIComponent(email)}&to=2026-02-01&interval=month`, {
        headers: founder,
      }),
    ).toBe(400);
    expect(
      await atCollector('/api/scaling/items/automated-backups', {
        method: 'POST',
        headers: { ...founder, 'content-type': 'application/json' },
        body: JSON.stringify({ done: email, recordedBy: name }),
      }),
    ).toBe(400);

    // Let the collector scrape the agent at least twice, then read everything a person could see.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const agentMetrics = await scrape(agent);
    const collectorMetrics = await (await fetch(`${collector.url}/metrics`, { headers: founder })).text();
    const health = await (await fetch(`${collector.url}/api/health?window=5m`, { headers: founder })).text();
    // The scrape is not vacuous: the requests above are counted, the limiter refused one, KPIs are served.
    expect(
      samples(agentMetrics.families, 'pledgr_rate_limit_rejections_total', { pledgr_rate_limiter: 'auth' })[0]
        ?.value,
    ).toBe(1);
    expect(agentMetrics.text).toContain('http_route="/api/artists/:id"');
    expect(collectorMetrics).toMatch(/^pledgr_registrations\{period="current_month"\} 1$/m);
    expect(health).toContain('"instances"');
    await agent.stop();
    await collector.stop();
    const outputs = { agentOutput: agent.output(), collectorOutput: collector.output() };
    expect(outputs.agentOutput).toContain('Pledge API listening');
    expect(outputs.collectorOutput).toContain('Collector listening');

    const secrets = [
      email,
      'quintessa',
      'vantablack',
      name,
      password,
      wrongPassword,
      token,
      testTokens.founder,
      testTokens.operator,
    ];
    const leaks: string[] = [];
    for (const [where, text] of Object.entries({
      ...outputs,
      agentMetrics: agentMetrics.text,
      collectorMetrics,
      health,
    })) {
      for (const secret of secrets)
        if (text.toLowerCase().includes(secret.toLowerCase())) leaks.push(`${secret} in ${where}`);
    }
    expect(leaks).toEqual([]);
  });
});
