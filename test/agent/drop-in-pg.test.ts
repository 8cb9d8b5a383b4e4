// The drop-in agent on an unmodified Express 5 ES-module app on pg (test/fixtures/pg-app): the app runs once
// plain and once under `node --import agent/register.js`, each on a fresh PostgreSQL database, with the same
// known request sequence. The test checks exact request counts by route template and status; pg query counts
// in promise, callback and transaction style, the failing query with its error_type, and the standalone
// Client's query; the pool gauges under the pool's name; no literal value in the metrics; no new series from
// unknown paths; and answers and exit code identical with and without the agent. Needs PostgreSQL at
// 127.0.0.1:5432 (or PULSE_TEST_DATABASE_URL): skipped with the reason when it is missing, failed in CI.
import { randomInt } from 'node:crypto';
import type { PromMetrics } from 'prom2javascript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { samples } from '../support/agent-process.ts';
import {
  NO_ROUTE,
  requestCounts,
  scannerBurst,
  scrapeText,
  seriesCount,
  startFixtureApp,
} from '../support/fixture-app.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';

// Literal values the requests carry: none may reach the metrics.
const artistNames = ['Marisol Undisclosed', 'Quentin Hushworth'];

/** A table name the fixture accepts (/^[a-z_]+$/), different on every run. */
function randomTable(): string {
  const letters = Array.from({ length: 10 }, () => String.fromCharCode(97 + randomInt(26))).join('');
  return `fixture_artists_${letters}`;
}

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

async function call(baseUrl: string, method: string, path: string, json?: unknown): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    ...(json !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }
      : {}),
  });
  const body = Buffer.from(await response.arrayBuffer()).toString('utf8');
  const answerHeaders: [string, string][] = [];
  response.headers.forEach((value, name) => {
    answerHeaders.push([name, value]);
  });
  return { request: `${method} ${path}`, status: response.status, headers: answerHeaders, body };
}

/**
 * The known sequence; every count asserted below follows from it. `whileReportsRun` runs while six slow
 * reports hold the pool's four connections (two callers waiting).
 */
async function drive(baseUrl: string, whileReportsRun?: () => Promise<void>): Promise<Answer[]> {
  const answers: Answer[] = [];
  const send = async (method: string, path: string, json?: unknown) => {
    answers.push(await call(baseUrl, method, path, json));
  };
  await send('GET', '/api/artists'); // promise style, empty list
  for (const name of artistNames) await send('POST', '/api/artists', { name }); // transaction: ids 1, 2
  await send('POST', '/api/artists', {}); // 400 before any query
  await send('GET', '/api/artists');
  for (let i = 0; i < 3; i++) await send('GET', '/api/artists/1'); // callback style
  await send('GET', '/api/artists/999'); // 404 from the app
  await send('GET', '/api/artists/abc'); // 400 before any query
  await send('GET', '/api/artists/broken'); // SELECT * FROM no_such_table: 500
  await send('GET', '/nowhere'); // the catch-all 404 middleware: no route
  await send('POST', '/nowhere');
  await send('DELETE', '/api/artists/1'); // a known path, but no DELETE route
  // More requests at once than the pool has connections (4): some wait for one.
  const concurrent = await Promise.all(
    Array.from({ length: 6 }, () => call(baseUrl, 'GET', '/api/artists/2')),
  );
  answers.push(...concurrent);
  const reports = Promise.all(Array.from({ length: 6 }, () => call(baseUrl, 'GET', '/api/artists/report')));
  await whileReportsRun?.();
  answers.push(...(await reports));
  return answers;
}

// ---------------------------------------------------------------------------------------------------------
// Reading the metrics

/** `summary | operation [| pool] [!error]` → operation count, for one database system. */
function operationCounts(families: PromMetrics, system: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const sample of samples(families, 'db_client_operation_duration', { db_system_name: system })) {
    const { labels } = sample;
    const pool = labels.db_client_connection_pool_name ? ` | ${labels.db_client_connection_pool_name}` : '';
    const error = labels.error_type ? ` !${labels.error_type}` : '';
    const key = `${labels.db_query_summary} | ${labels.db_operation_name}${pool}${error}`;
    counts[key] = (counts[key] ?? 0) + Number(sample.count);
  }
  return counts;
}

interface PoolSnapshot {
  readonly used: number;
  readonly idle: number;
  readonly pending: number;
  readonly max: number;
}

function poolSnapshot(families: PromMetrics, poolName: string): PoolSnapshot {
  const pool = { db_client_connection_pool_name: poolName };
  const value = (name: string, match: Record<string, string> = {}) =>
    Number(samples(families, name, { ...pool, ...match })[0]?.value);
  return {
    used: value('db_client_connection_count', { db_client_connection_state: 'used' }),
    idle: value('db_client_connection_count', { db_client_connection_state: 'idle' }),
    pending: value('db_client_connection_pending_requests'),
    max: value('db_client_connection_max'),
  };
}

/** Scrapes until two callers wait for a connection (the pool is full), or gives up after 3 s. */
async function scrapeWhilePoolIsFull(metricsUrl: string, poolName: string): Promise<PoolSnapshot> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const snapshot = poolSnapshot((await scrapeText(metricsUrl)).families, poolName);
    if (snapshot.pending === 2 || Date.now() > deadline) return snapshot;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Status, body and headers of each answer, without the headers that may differ between two runs. */
function comparable(answers: Answer[]): unknown[] {
  return answers.map((answer) => ({
    ...answer,
    headers: answer.headers.filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)),
  }));
}

// ---------------------------------------------------------------------------------------------------------

describeWithPostgres('drop-in agent on an Express 5 ESM app on pg', () => {
  const databases: TempDatabase[] = [];
  let table = '';
  let poolName = '';
  let plain: { answers: Answer[]; exitCode: number | null };
  let instrumented: {
    answers: Answer[];
    whilePoolIsFull: PoolSnapshot;
    exitCode: number | null;
    output: string;
    text: string;
    families: PromMetrics;
    afterBurst: { text: string; families: PromMetrics };
  };

  beforeAll(async () => {
    const [plainDb, instrumentedDb] = await Promise.all([createTempDatabase(), createTempDatabase()]);
    databases.push(plainDb, instrumentedDb);
    table = randomTable();
    // application_name, then the server without credentials: `pg-fixture postgres://127.0.0.1:5432/<db>`.
    const server = new URL(instrumentedDb.url);
    poolName = `pg-fixture postgres://${server.host}${server.pathname}`;
    const runPlain = async () => {
      const app = await startFixtureApp({
        name: 'pg-app',
        withAgent: false,
        env: { DATABASE_URL: plainDb.url, TABLE: randomTable() },
        ready: /pg fixture listening on/,
      });
      try {
        const answers = await drive(app.baseUrl);
        return { answers, exitCode: await app.stop() };
      } finally {
        await app.stop();
      }
    };
    const runInstrumented = async () => {
      const app = await startFixtureApp({
        name: 'pg-app',
        withAgent: true,
        env: { DATABASE_URL: instrumentedDb.url, TABLE: table },
        ready: /pg fixture listening on/,
      });
      try {
        let whilePoolIsFull: PoolSnapshot = { used: Number.NaN, idle: Number.NaN, pending: 0, max: 0 };
        const answers = await drive(app.baseUrl, async () => {
          whilePoolIsFull = await scrapeWhilePoolIsFull(app.metricsUrl, poolName);
        });
        const scraped = await scrapeText(app.metricsUrl);
        await scannerBurst(app.baseUrl, 'xmlrpc.php');
        const afterBurst = await scrapeText(app.metricsUrl);
        return {
          answers,
          whilePoolIsFull,
          ...scraped,
          afterBurst,
          exitCode: await app.stop(),
          output: app.output(),
        };
      } finally {
        await app.stop();
      }
    };
    [plain, instrumented] = await Promise.all([runPlain(), runInstrumented()]);
  });

  afterAll(async () => {
    await Promise.all(databases.map((database) => database.drop()));
  });

  it('counts each request exactly once under its route template (mount path included) and status', () => {
    expect(requestCounts(instrumented.families)).toEqual({
      'GET /api/artists 200': 2,
      'POST /api/artists 201': 2,
      'POST /api/artists 400': 1,
      'GET /api/artists/:id 200': 9,
      'GET /api/artists/:id 404': 1,
      'GET /api/artists/:id 400': 1,
      'GET /api/artists/broken 500': 1,
      'GET /api/artists/report 200': 6,
      // The catch-all `app.use` 404 is middleware, not a route: no http_route.
      [`GET ${NO_ROUTE} 404`]: 1,
      [`POST ${NO_ROUTE} 404`]: 1,
      [`DELETE ${NO_ROUTE} 404`]: 1,
    });
  });

  it('marks the failing route with error_type "500", and no other request with any error_type', () => {
    const withError = samples(instrumented.families, 'http_server_request_duration').filter(
      (sample) => sample.labels.error_type !== undefined,
    );
    expect(
      withError.map((sample) => [sample.labels.http_route, sample.labels.error_type, sample.count]),
    ).toEqual([['/api/artists/broken', '500', 1]]);
  });

  it('adds no series for a burst of 50 unknown POST paths, and counts them under no route', () => {
    const before = seriesCount(instrumented.text, 'http_server_request_duration');
    expect(seriesCount(instrumented.afterBurst.text, 'http_server_request_duration')).toBe(before);
    expect(requestCounts(instrumented.afterBurst.families)[`POST ${NO_ROUTE} 404`]).toBe(51);
    expect(instrumented.afterBurst.text).not.toContain('xmlrpc');
    expect(instrumented.afterBurst.text).not.toContain('scan-');
  });

  it('times pool queries in promise, callback and transaction style, the failing one and the Client', () => {
    expect(operationCounts(instrumented.families, 'postgresql')).toEqual({
      // The pg.Client used once at start: no pool, so no pool name.
      [`CREATE TABLE ${table} | CREATE`]: 1,
      // 2 lists (promise), 3 + 1 + 6 single reads (callback), 6 reports (WITH … SELECT … FROM table).
      [`SELECT ${table} | SELECT | ${poolName}`]: 18,
      // Two creates, each BEGIN / INSERT / COMMIT on a client checked out with pool.connect().
      [`BEGIN | BEGIN | ${poolName}`]: 2,
      [`INSERT ${table} | INSERT | ${poolName}`]: 2,
      [`COMMIT | COMMIT | ${poolName}`]: 2,
      [`SELECT no_such_table | SELECT | ${poolName} !db_error`]: 1,
    });
  });

  it('serves the gauges of the one pool under its name: 4 used and 2 waiting while six reports run', () => {
    expect(instrumented.whilePoolIsFull).toEqual({ used: 4, idle: 0, pending: 2, max: 4 });
  });

  it('serves the pool gauges with nothing in use or waiting once the requests are answered', () => {
    const { families } = instrumented;
    // One pool, one name (the standalone Client is no pool).
    for (const family of ['db_client_connection_max', 'db_client_connection_pending_requests']) {
      expect(samples(families, family).map((sample) => sample.labels.db_client_connection_pool_name)).toEqual(
        [poolName],
      );
    }
    const snapshot = poolSnapshot(families, poolName);
    expect(snapshot).toMatchObject({ used: 0, pending: 0, max: 4 });
    expect(snapshot.idle).toBeGreaterThanOrEqual(1);
    expect(snapshot.idle).toBeLessThanOrEqual(4);
  });

  it('shows no literal value from any request, nor the database user, anywhere in the metrics text', () => {
    const text = instrumented.afterBurst.text;
    for (const literal of [...artistNames, 'Marisol', 'Hushworth', '/api/artists/999', '/api/artists/abc']) {
      expect(text.toLowerCase(), literal).not.toContain(literal.toLowerCase());
    }
    const user = new URL(databases[1]?.url ?? '').username;
    expect(text).not.toContain(`${user}@`);
  });

  it('serves the runtime metrics beside the request and query metrics', () => {
    const { families } = instrumented;
    for (const name of ['nodejs_eventloop_delay_p99', 'v8js_memory_heap_used', 'process_memory_usage']) {
      expect(families[name]?.data.length ?? 0, name).toBeGreaterThan(0);
    }
  });

  it('reports no internal fault of its own on stderr', () => {
    expect(instrumented.output).toContain('pulse agent: Prometheus metrics on');
    expect(instrumented.output).not.toMatch(/switched off|not instrumenting|did not start/);
  });

  it('leaves every answer unchanged: status, headers and body byte for byte, with and without the agent', () => {
    expect(comparable(instrumented.answers)).toEqual(comparable(plain.answers));
    // The sequence really went where it was meant to (a broken fixture would compare equal too).
    expect(plain.answers.map((answer) => answer.status)).toEqual([
      200, 201, 201, 400, 200, 200, 200, 200, 404, 400, 500, 404, 404, 404, 200, 200, 200, 200, 200, 200, 200,
      200, 200, 200, 200, 200,
    ]);
    expect(JSON.parse(plain.answers.at(-1)?.body ?? '')).toEqual({ total: 2 });
    expect(JSON.parse(plain.answers[4]?.body ?? '')).toEqual([
      { id: 1, name: artistNames[0] },
      { id: 2, name: artistNames[1] },
    ]);
  });

  it('exits with the same code on SIGTERM, with and without the agent (0)', () => {
    expect(plain.exitCode).toBe(0);
    expect(instrumented.exitCode).toBe(0);
  });
});
