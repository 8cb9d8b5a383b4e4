// Error bodies say nothing about the server and repeat nothing of the request: static-file errors (a missing
// asset, a traversal, a path too long for the file system, a failed precondition or range) and body-parser
// errors (a bad charset, encoding or JSON) get a fixed code and message per kind, never the library's text
// with the absolute file path or the input in it; an unknown route is named only when its path is short
// and plain. An unexpected failure is a 500 that names the service which failed, and nothing more.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentApp } from '../../agent/app.ts';
import { type RunningAgent, startAgent } from '../../agent/server.ts';
import { type CollectorDeps, createCollectorApp } from '../../collector/app.ts';
import { dashboardRoutes } from '../../collector/routes/dashboard-routes.ts';
import type { RunningCollector } from '../../collector/server.ts';
import type { Db } from '../../core/db/types.ts';
import { errorHandler, notFound } from '../../core/http/http-errors.ts';
import { startTestCollector, testTokens } from '../support/collector.ts';
import { embeddedAgentConfig } from '../support/embedded-agent-config.ts';

const longName = 'a'.repeat(8_000);

async function errorOf(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await response.text();
  const { error } = JSON.parse(text) as { error: unknown };
  return { status: response.status, headers: response.headers, text, error };
}

describe('static-file errors', () => {
  let dist: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // A dashboard build of our own, so the test needs no `npm run build:dashboard` and knows the path.
    dist = await mkdtemp(join(tmpdir(), 'pulse-dist-'));
    await mkdir(join(dist, 'assets'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(join(dist, 'assets', 'app-1234.js'), 'export {};\n');
    await writeFile(join(dist, 'secret.txt'), 'outside the assets folder');
    const app = express()
      .use(dashboardRoutes(`${dist}/`))
      .use(notFound)
      .use(errorHandler(() => undefined));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await rm(dist, { recursive: true, force: true });
  });

  const cases: [string, string, Record<string, string>, number, { code: string; message: string }][] = [
    [
      'a missing asset',
      '/assets/nonexistent.js',
      {},
      404,
      { code: 'not_found', message: 'no such file or route' },
    ],
    [
      'an 8 kB asset name',
      `/assets/${longName}.js`,
      {},
      404,
      { code: 'not_found', message: 'no such file or route' },
    ],
    ['the assets folder itself', '/assets', {}, 404, { code: 'not_found', message: 'no such file or route' }],
    [
      'a traversal',
      '/assets/..%2fsecret.txt',
      {},
      403,
      { code: 'forbidden', message: 'this path is not served' },
    ],
    [
      'a failed If-Match',
      '/assets/app-1234.js',
      { 'if-match': '"not-the-etag"' },
      412,
      { code: 'precondition_failed', message: 'a precondition of the request does not hold' },
    ],
    [
      'a range past the end',
      '/assets/app-1234.js',
      { range: 'bytes=999999-' },
      416,
      { code: 'range_not_satisfiable', message: 'the requested range is not satisfiable' },
    ],
  ];
  for (const [name, path, headers, status, expected] of cases) {
    it(`answers ${name} with ${status} ${expected.code} and no file path or input in the body`, async () => {
      const answer = await errorOf(await fetch(`${url}${path}`, { headers }));
      expect(answer.status).toBe(status);
      expect(answer.error).toEqual(expected);
      expect(answer.text).not.toContain(dist);
      expect(answer.text).not.toContain('aaaaaaaaaa');
      // Nor the headers prepared for the file it did not send.
      expect(answer.headers.get('last-modified')).toBeNull();
      expect(answer.headers.get('cache-control')).toBeNull();
    });
  }

  it('still serves the asset itself', async () => {
    const response = await fetch(`${url}/assets/app-1234.js`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('export {};\n');
  });
});

describe('route and body errors on the real services', () => {
  let agent: RunningAgent;
  let collector: RunningCollector;

  beforeAll(async () => {
    agent = await startAgent(embeddedAgentConfig(), () => undefined);
    collector = await startTestCollector({ kind: 'embedded', dataDir: 'memory://' });
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await collector?.stop();
  });

  for (const [name, url] of [
    ['agent', () => agent.url],
    ['collector', () => collector.url],
  ] as const) {
    it(`${name}: no unknown path is echoed: 8 kB, with markup, with CR-LF, or short and plain`, async () => {
      for (const path of [
        `/${longName}`,
        '/%3Cscript%3Ealert(1)%3C/script%3E',
        '/api/%0d%0aX-Injected:%201',
        '/api/nothing-here',
      ]) {
        const answer = await errorOf(await fetch(`${url()}${path}`));
        expect(answer).toMatchObject({
          status: 404,
          error: { code: 'not_found', message: 'no route for GET at this path' },
        });
      }
    });
  }

  const bodyCases: [string, Record<string, string>, string, number, { code: string; message: string }][] = [
    [
      'an unknown charset',
      { 'content-type': 'application/json; charset=evil-charset-xyz' },
      '{}',
      415,
      { code: 'charset_unsupported', message: 'the charset is not supported (send UTF-8)' },
    ],
    [
      'an unknown content encoding',
      { 'content-type': 'application/json', 'content-encoding': 'evil-encoding-xyz' },
      '{}',
      415,
      {
        code: 'encoding_unsupported',
        message: 'the Content-Encoding is not supported (send identity, gzip, deflate or br)',
      },
    ],
    [
      'JSON with a bad token',
      { 'content-type': 'application/json' },
      '{"done": evil-json-xyz}',
      400,
      { code: 'entity_parse_failed', message: 'the body is not valid JSON' },
    ],
  ];
  for (const [name, headers, body, status, expected] of bodyCases) {
    it(`answers ${name} with ${status} ${expected.code} without quoting the request`, async () => {
      const answers = [
        await fetch(`${agent.url}/api/auth/register`, { method: 'POST', headers, body }),
        await fetch(`${collector.url}/api/scaling/items/automated-backups`, {
          method: 'POST',
          headers: { ...headers, authorization: `Bearer ${testTokens.operator}` },
          body,
        }),
      ];
      for (const response of answers) {
        const answer = await errorOf(response);
        expect(answer.status).toBe(status);
        expect(answer.error).toEqual(expected);
        expect(answer.text.toLowerCase()).not.toContain('evil');
      }
    });
  }
});

describe('an unexpected failure', () => {
  const secret = 'secret-detail /srv/pulse/internal.ts:42';
  const fail = async () => {
    throw new Error(secret);
  };
  const servers: Server[] = [];
  const serve = async (app: express.Express) => {
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  it('is a 500 naming the pledge API, logged with its stack, and nothing of the error in the body', async () => {
    const logged: string[] = [];
    const failingDb = { kind: 'embedded', query: fail } as unknown as Db;
    const url = await serve(
      createAgentApp({
        db: failingDb,
        config: {
          rateLimitApi: null,
          rateLimitAuth: null,
          sessionTtlHours: 1,
          faults: { routes: [], latencyMs: 0, errorRate: 0 },
          trustProxy: false,
        },
        log: (message) => logged.push(message),
      }),
    );
    const answer = await errorOf(await fetch(`${url}/api/artists`));
    expect(answer.status).toBe(500);
    expect(answer.error).toEqual({
      code: 'internal_error',
      message: 'the pledge API failed to answer; see its log',
    });
    expect(answer.text).not.toContain('secret');
    expect(logged.join('\n')).toContain(secret);
  });

  it('is a 500 naming the collector, logged with its stack, and nothing of the error in the body', async () => {
    const logged: string[] = [];
    const deps = {
      tokens: testTokens,
      currency: 'USD',
      health: null,
      healthRetentionSeconds: 3_600,
      scaling: { report: fail },
      log: (message: string) => logged.push(message),
    } as unknown as CollectorDeps;
    const url = await serve(createCollectorApp(deps));
    const answer = await errorOf(
      await fetch(`${url}/api/scaling`, { headers: { authorization: `Bearer ${testTokens.operator}` } }),
    );
    expect(answer.status).toBe(500);
    expect(answer.error).toEqual({
      code: 'internal_error',
      message: 'the collector failed to answer; see its log',
    });
    expect(answer.text).not.toContain('secret');
    expect(logged.join('\n')).toContain(secret);
  });

  it('is a 500 naming no service in an app that names none', async () => {
    const app = express();
    app.get('/boom', fail);
    app.use(errorHandler(() => undefined));
    const answer = await errorOf(await fetch(`${await serve(app)}/boom`));
    expect(answer).toMatchObject({
      status: 500,
      error: { code: 'internal_error', message: 'the server failed to answer; see its log' },
    });
  });
});
