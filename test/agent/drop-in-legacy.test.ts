// The drop-in agent on an unmodified legacy Pledgr app (Express 4, CommonJS, sqlite3 callbacks, bcryptjs,
// express.static, a catch-all GET *): the app runs once plain and once under `node --import agent/register.js`
// with the same known request sequence on a fresh database; the test checks exact request counts by route
// template and status, exact sqlite3 operation counts by query summary, no literal value anywhere in the
// metrics, no new series from unknown paths, and answers and exit code identical with and without the agent.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PromMetrics } from 'prom2javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samples } from '../support/agent-process.ts';
import {
  NO_ROUTE,
  requestCounts,
  scannerBurst,
  scrapeText,
  seriesCount,
  startFixtureApp,
} from '../support/fixture-app.ts';

// Literal values the requests carry: none may reach the metrics.
const secrets = {
  name: 'Zelda Quietname',
  email: 'zelda.quietname+legacy@example.org',
  password: 'hunter2-legacy-secret',
  artist: 'Velvet Undisclosed Quartet',
  art: 'Hidden Canvas Seventeen',
  amount: 4817.63,
  amountText: '7263.25',
};

// ---------------------------------------------------------------------------------------------------------
// Running the fixture

// ---------------------------------------------------------------------------------------------------------
// The request sequence

interface Answer {
  readonly request: string;
  readonly status: number;
  readonly headers: [string, string][];
  readonly body: string;
}

type CallOptions = { json?: unknown; token?: string };

interface Driven {
  readonly answers: Answer[];
  /** The session tokens the app handed out (registration, login). */
  readonly tokens: string[];
}

async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    redirect: 'manual',
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
  });
  const body = Buffer.from(await response.arrayBuffer()).toString('utf8');
  const answerHeaders: [string, string][] = [];
  response.headers.forEach((value, name) => {
    answerHeaders.push([name, value]);
  });
  return { request: `${method} ${path}`, status: response.status, headers: answerHeaders, body };
}

/** The known sequence; every count asserted below follows from it. */
async function drive(baseUrl: string): Promise<Driven> {
  const answers: Answer[] = [];
  const tokens: string[] = [];
  const send = async (method: string, path: string, options?: CallOptions) => {
    const answer = await call(baseUrl, method, path, options);
    answers.push(answer);
    return answer;
  };
  const { name, email, password } = secrets;

  await send('GET', '/api/health');
  const registered = await send('POST', '/api/auth/register', { json: { name, email, password } });
  tokens.push((JSON.parse(registered.body) as { token: string }).token);
  await send('POST', '/api/auth/register', { json: { name, email, password } }); // 400: exists
  await send('POST', '/api/auth/register', { json: { email } }); // 400: fields missing
  await send('POST', '/api/auth/login', { json: { email, password: 'wrong-password' } }); // 401
  await send('POST', '/api/auth/login', { json: { email: 'nobody@example.org', password } }); // 401
  const loggedIn = await send('POST', '/api/auth/login', { json: { email, password } });
  const token = (JSON.parse(loggedIn.body) as { token: string }).token;
  tokens.push(token);

  await send('GET', '/api/artists');
  await send('GET', '/api/artists?category=music');
  for (const id of [1, 2, 3]) await send('GET', `/api/artists/${id}`);
  await send('GET', '/api/artists/999'); // 404 from the app
  await send('POST', '/api/artists', { json: { name: secrets.artist, category: 'music' }, token }); // id 4
  await send('POST', '/api/artists', { json: { name: secrets.artist } }); // 401: no token

  await send('POST', '/api/artists/4/art', { json: { title: secrets.art }, token }); // 201
  await send('POST', '/api/artists/1/art', { json: { title: secrets.art }, token }); // 403: not the owner
  await send('GET', '/api/artists/4/art');
  await send('GET', '/api/artists/4/art/1');
  await send('GET', '/api/artists/4/art/99'); // 404

  await send('POST', '/api/pledges', { json: { artistId: 1, amount: secrets.amount }, token });
  await send('POST', '/api/pledges', {
    json: { artistId: 4, amount: secrets.amountText, levelId: 3 },
    token,
  });
  await send('POST', '/api/pledges', { json: { artistId: 2 }, token }); // 400: no amount
  await send('POST', '/api/pledges', { json: { artistId: 999, amount: 5 }, token }); // 404
  await send('GET', '/api/pledges', { token });
  await send('DELETE', '/api/pledges/1', { token });
  await send('DELETE', '/api/pledges/1', { token }); // cancelling twice: 200 again
  await send('DELETE', '/api/pledges/999', { token }); // 404

  await send('GET', '/api/categories'); // the array path, both spellings
  await send('GET', '/api/artist-categories');
  await send('GET', '/api/boom'); // throws: 500 from the error middleware
  await send('GET', '/api/artists/1/levels'); // its table does not exist: sqlite3 error, 500
  await send('GET', '/a/4'); // the regex path: 302

  await send('GET', '/'); // express.static: index.html
  await send('GET', '/app.js');
  await send('GET', '/index.html');
  await send('GET', '/missing.css'); // no such file: the catch-all answers
  await send('GET', '/artists/4');
  await send('GET', '/api/unknown');

  await send('POST', '/nowhere'); // matches no route: 404 from Express
  await send('PUT', '/api/artists/1'); // a known path, but no PUT route
  return { answers, tokens };
}

// ---------------------------------------------------------------------------------------------------------
// Reading the metrics

/** GET /api/artists/:id/levels reads a table the schema never creates. */
const failedStatement = 'SELECT pledge_levels | SELECT !db_error';

/** `summary | operation` → operation count, for one database system. */
function operationCounts(families: PromMetrics, system: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples(families, 'db_client_operation_duration', { db_system_name: system })) {
    const { labels } = sample;
    const error = labels.error_type ? ` !${labels.error_type}` : '';
    const key = `${labels.db_query_summary} | ${labels.db_operation_name}${error}`;
    counts[key] = (counts[key] ?? 0) + Number(sample.count);
  }
  return counts;
}

/** What may differ between two runs of the same sequence: session tokens, timestamps, and hop headers. */
function comparable(driven: Driven): unknown[] {
  return driven.answers.map((answer) => {
    let body = answer.body;
    for (const token of driven.tokens) body = body.replaceAll(token, '<token>');
    body = body.replace(/"created_at":"[^"]*"/g, '"created_at":"<time>"');
    const headers = answer.headers
      .filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))
      // A JSON body's ETag hashes the body: where the body held a token or a time, only its presence counts.
      .map(([name, value]): [string, string] => [
        name,
        name === 'etag' && body !== answer.body ? '<etag of a varying body>' : value,
      ]);
    return { request: answer.request, status: answer.status, headers, body };
  });
}

// ---------------------------------------------------------------------------------------------------------

describe('drop-in agent on the legacy Pledgr app (Express 4, CommonJS, sqlite3)', () => {
  let dir = '';
  let plain: { driven: Driven; exitCode: number | null };
  let instrumented: {
    driven: Driven;
    exitCode: number | null;
    output: string;
    text: string;
    families: PromMetrics;
    afterBurst: { text: string; families: PromMetrics };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pulse-legacy-'));
    const runPlain = async () => {
      const app = await startFixtureApp({
        name: 'legacy-pledgr',
        withAgent: false,
        env: { DB_PATH: join(dir, 'plain.db') },
        ready: /Pledgr server running on/,
      });
      try {
        const driven = await drive(app.baseUrl);
        return { driven, exitCode: await app.stop() };
      } finally {
        await app.stop();
      }
    };
    const runInstrumented = async () => {
      const app = await startFixtureApp({
        name: 'legacy-pledgr',
        withAgent: true,
        env: { DB_PATH: join(dir, 'instrumented.db') },
        ready: /Pledgr server running on/,
      });
      try {
        const driven = await drive(app.baseUrl);
        const scraped = await scrapeText(app.metricsUrl);
        await scannerBurst(app.baseUrl, 'wp-login.php');
        const afterBurst = await scrapeText(app.metricsUrl);
        return { driven, ...scraped, afterBurst, exitCode: await app.stop(), output: app.output() };
      } finally {
        await app.stop();
      }
    };
    [plain, instrumented] = await Promise.all([runPlain(), runInstrumented()]);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts each request exactly once under its Express route template (mount paths included) and status', () => {
    expect(requestCounts(instrumented.families)).toEqual({
      'GET /api/health 200': 1,
      'POST /api/auth/register 201': 1,
      'POST /api/auth/register 400': 2,
      'POST /api/auth/login 401': 2,
      'POST /api/auth/login 200': 1,
      'GET /api/artists 200': 2,
      'GET /api/artists/:id 200': 3,
      'GET /api/artists/:id 404': 1,
      'POST /api/artists 201': 1,
      'POST /api/artists 401': 1,
      // The sub-router mounted at /api/artists/:id/art (mergeParams): mount template + route template.
      'POST /api/artists/:id/art 201': 1,
      'POST /api/artists/:id/art 403': 1,
      'GET /api/artists/:id/art 200': 1,
      'GET /api/artists/:id/art/:artId 200': 1,
      'GET /api/artists/:id/art/:artId 404': 1,
      'POST /api/pledges 201': 2,
      'POST /api/pledges 400': 1,
      'POST /api/pledges 404': 1,
      'GET /api/pledges 200': 1,
      'DELETE /api/pledges/:id 200': 2,
      'DELETE /api/pledges/:id 404': 1,
      'GET /api[/categories,/artist-categories] 200': 2,
      'GET /api/boom 500': 1,
      'GET /api/artists/:id/levels 500': 1,
      'GET /^\\/a\\/(\\d+)$/ 302': 1,
      // Files express.static served: middleware, no route matched, so no http_route.
      [`GET ${NO_ROUTE} 200`]: 3,
      // The catch-all app.get('*'): a missing file, a client-side page, an unknown API path.
      'GET * 200': 3,
      [`POST ${NO_ROUTE} 404`]: 1,
      [`PUT ${NO_ROUTE} 404`]: 1,
    });
  });

  it('marks the two 500s with error_type "500", and no other request with any error_type', () => {
    const withError = samples(instrumented.families, 'http_server_request_duration').filter(
      (sample) => sample.labels.error_type !== undefined,
    );
    expect(
      withError.map((sample) => [sample.labels.http_route, sample.labels.error_type, sample.count]),
    ).toEqual([
      ['/api/boom', '500', 1],
      ['/api/artists/:id/levels', '500', 1],
    ]);
  });

  it('adds no series for a burst of 50 unknown POST paths, and counts them under no route', () => {
    const before = seriesCount(instrumented.text, 'http_server_request_duration');
    expect(seriesCount(instrumented.afterBurst.text, 'http_server_request_duration')).toBe(before);
    expect(requestCounts(instrumented.afterBurst.families)[`POST ${NO_ROUTE} 404`]).toBe(51);
    expect(instrumented.afterBurst.text).not.toContain('wp-login');
    expect(instrumented.afterBurst.text).not.toContain('scan-');
  });

  it('times every sqlite3 call — run/get/all, each, exec and a prepared statement — under its query summary', () => {
    expect(operationCounts(instrumented.families, 'sqlite')).toEqual({
      // db.exec of the whole schema: summarized by its first statement.
      'CREATE TABLE users | CREATE': 1,
      // The seed's prepared statement (3 × stmt.run) and POST /api/artists (db.run).
      'INSERT artists | INSERT': 4,
      // COUNT at start, 2 lists, 4 pages, 2 art owner checks, 3 pledge artist checks, 2 category lists.
      'SELECT artists | SELECT': 14,
      'SELECT | SELECT': 1, // the health check's SELECT 1
      'SELECT users | SELECT': 5, // 2 registrations, 3 logins
      'INSERT users | INSERT': 1,
      'INSERT sessions | INSERT': 2, // registration and login
      'SELECT sessions | SELECT': 11, // every request that carried a token
      'UPDATE users | UPDATE': 1,
      'INSERT art | INSERT': 1,
      'SELECT art | SELECT': 3, // one db.each list, two gets
      'INSERT pledges | INSERT': 2,
      'UPDATE artists | UPDATE': 2,
      'SELECT pledges | SELECT': 4, // the list and 3 cancels' lookups
      'UPDATE pledges | UPDATE': 2, // status = 'cancelled', twice on the same pledge
      [failedStatement]: 1, // GET /api/artists/:id/levels: no such table, failed while preparing
    });
  });

  // sqlite3 reports a prepare failure (no such table) only to the callback Database#all gave the Statement's
  // constructor, never running Statement#all: the agent times such calls at the Database level.
  it('times a statement that sqlite3 fails to prepare (no such table) with error_type "db_error"', () => {
    expect(operationCounts(instrumented.families, 'sqlite')[failedStatement]).toBe(1);
  });

  it('shows no literal value from any request anywhere in the metrics text', () => {
    const text = instrumented.afterBurst.text;
    const literals = [
      secrets.name,
      secrets.email,
      secrets.password,
      secrets.artist,
      secrets.art,
      String(secrets.amount),
      secrets.amountText,
      ...instrumented.driven.tokens,
      'zelda',
      'Quietname',
      '/api/artists/4',
      '/missing.css',
      'app.js',
    ];
    expect(instrumented.driven.tokens).toHaveLength(2);
    for (const literal of literals) expect(text.toLowerCase(), literal).not.toContain(literal.toLowerCase());
  });

  it('serves the runtime metrics beside the request and query metrics', () => {
    const { families } = instrumented;
    for (const name of ['nodejs_eventloop_delay_p99', 'v8js_memory_heap_used', 'process_memory_usage']) {
      expect(families[name]?.data.length ?? 0, name).toBeGreaterThan(0);
    }
    expect(Number(samples(families, 'process_memory_usage')[0]?.value)).toBeGreaterThan(10_000_000);
  });

  it('reports no internal fault of its own on stderr', () => {
    expect(instrumented.output).toContain('pulse agent: Prometheus metrics on');
    expect(instrumented.output).not.toMatch(/switched off|not instrumenting|did not start/);
  });

  it('leaves every answer unchanged: status, headers and body byte for byte, with and without the agent', () => {
    expect(instrumented.driven.answers).toHaveLength(plain.driven.answers.length);
    expect(comparable(instrumented.driven)).toEqual(comparable(plain.driven));
    const staticFile = plain.driven.answers.find((answer) => answer.request === 'GET /app.js');
    expect(staticFile?.headers.map(([name]) => name)).toEqual(
      expect.arrayContaining(['cache-control', 'content-type', 'etag', 'last-modified', 'x-powered-by']),
    );
    // The sequence really went where it was meant to (a broken fixture would compare equal too).
    expect(plain.driven.answers.map((answer) => answer.status)).toEqual([
      200, 201, 400, 400, 401, 401, 200, 200, 200, 200, 200, 200, 404, 201, 401, 201, 403, 200, 200, 404, 201,
      201, 400, 404, 200, 200, 200, 404, 200, 200, 500, 500, 302, 200, 200, 200, 200, 200, 200, 404, 404,
    ]);
  });

  it('exits with the same code on SIGTERM, with and without the agent (0)', () => {
    expect(plain.exitCode).toBe(0);
    expect(instrumented.exitCode).toBe(0);
  });
});
