// Fuzzes every route of the collector (a real collector on PGlite and on PostgreSQL, scraping a stub agent)
// with ≥ 1,000 generated requests each: bad dates, intervals, windows and limits, unknown and duplicated
// query parameters, KPI ranges past the limits, edge dates (year 0001, 9999), bad scaling records (wrong
// types, invalid JSON, wrong content types, bodies past 16 kB), item ids that are not items, and garbage or
// under-privileged tokens. Proves: never a 5xx, every 4xx in the JSON error shape, and no row written.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningCollector, startCollector } from '../../collector/server.ts';
import { testTokens } from '../support/collector.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { invalidBodyCases } from './support/body-cases.ts';
import {
  casesOf,
  type FuzzCase,
  type FuzzFailure,
  fuzzSeed,
  runCases,
  runsPerRoute,
} from './support/fuzz-run.ts';
import { garbageHeaderValue, longString, nastyString, numberLikeText } from './support/nasty-values.ts';
import { rowCounts } from './support/row-counts.ts';
import {
  anyQuery,
  invalidQuery,
  notAnId,
  type QueryPair,
  queryString,
  unknownName,
} from './support/url-cases.ts';

const founder = { authorization: `Bearer ${testTokens.founder}` };
const operator = { authorization: `Bearer ${testTokens.operator}` };

const notADate = fc
  .oneof(
    nastyString,
    numberLikeText,
    fc.constantFrom(
      '2024-02-30',
      '2024-13-01',
      '2023-02-29',
      '0000-00-00',
      '24-01-01',
      '2024-1-1',
      '2024-01-01T00:00:00Z',
      '20240101',
    ),
  )
  .map((text) => text.slice(0, 300));
const notAnInstant = fc
  .oneof(
    nastyString.filter((text) => text !== ''),
    fc.constantFrom(
      '2024-01-01T00:00:00',
      '2024-01-01T25:00:00Z',
      '2024-02-30T00:00:00Z',
      '2024-01-01T00:00Z+',
      'now',
      '1700000000',
      '2024-01-01T00:00:00+99:99',
    ),
  )
  .map((text) => text.slice(0, 300));
const notAnInterval = fc.oneof(nastyString, fc.constantFrom('year', 'DAY', 'Month', 'days', 'hour'));
const notALimit = (max: number) =>
  fc
    .oneof(nastyString, numberLikeText, fc.constantFrom('0', String(max + 1), '1e3', '100000000000000000000'))
    .filter((text) => !(/^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= max))
    .map((text) => text.slice(0, 300));
const notAWindow = fc.oneof(
  nastyString,
  fc.constantFrom('0s', '-1m', '1000000h', '1.5m', '15 m', 'm', '2h', '99999999999999999999s'),
);
/** Edge dates that are real calendar dates: the answer may be 200 or 400, never a 5xx. */
const edgeDate = fc.constantFrom(
  '0001-01-01',
  '0001-02-01',
  '1970-01-01',
  '2000-02-29',
  '9999-11-01',
  '9999-12-31',
);
const edgeInstant = fc.constantFrom(
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999+14:00',
  '1970-01-01T00:00:00-12:00',
  '0000-01-01',
  '2024-06-30T23:59:60Z',
);

const garbageAuth = garbageHeaderValue.map((value) => ({ authorization: value }));

function get(
  path: string,
  query: fc.Arbitrary<QueryPair[]>,
  headers: Record<string, string>,
  expectation: FuzzCase['expect'],
) {
  return query.map((pairs) => ({
    method: 'GET' as const,
    path: `${path}${queryString(pairs)}`,
    headers,
    expect: expectation,
  }));
}
function refused(path: string, roleHeaders?: Record<string, string>) {
  const headers = roleHeaders ? fc.constant(roleHeaders) : garbageAuth;
  return fc.tuple(headers, anyQuery(['from', 'to', 'limit'])).map(([h, pairs]) => ({
    method: 'GET' as const,
    path: `${path}${queryString(pairs)}`,
    headers: h,
    expect: 'invalid' as const,
  }));
}

function routeCases(): Record<string, fc.Arbitrary<FuzzCase>> {
  const range = { from: '2024-01-01', to: '2024-03-01' };
  const edgeRange = fc.tuple(edgeDate, edgeDate, fc.option(edgeInstant, { nil: undefined }));
  const edgeQuery = (interval: boolean) =>
    edgeRange.map(([from, to, asOf]) => {
      const pairs: QueryPair[] = [
        ['from', from],
        ['to', to],
      ];
      if (interval) pairs.push(['interval', 'month']);
      if (asOf) pairs.push(['asOf', asOf]);
      return pairs;
    });
  const scalingRecord = { done: true, recordedBy: 'fz', note: 'fuzz' };
  return {
    'GET /api/kpis': fc.oneof(
      get(
        '/api/kpis',
        invalidQuery(
          { ...range, interval: 'month' },
          {
            from: notADate,
            to: notADate,
            interval: notAnInterval,
            asOf: notAnInstant,
          },
          ['from', 'to', 'interval', 'asOf'],
          ['from', 'to', 'interval'],
        ),
        founder,
        'invalid',
      ),
      get(
        '/api/kpis',
        fc.constant<QueryPair[]>([
          ['from', '1900-01-01'],
          ['to', '2100-01-01'],
          ['interval', 'day'],
        ]),
        founder,
        'invalid',
      ),
      get(
        '/api/kpis',
        fc.constant<QueryPair[]>([
          ['from', '2024-03-01'],
          ['to', '2024-03-01'],
          ['interval', 'day'],
        ]),
        founder,
        'invalid',
      ),
      get('/api/kpis', edgeQuery(true), founder, 'any'),
      refused('/api/kpis'),
      refused('/api/kpis', operator),
    ),
    'GET /api/kpis/artists': fc.oneof(
      get(
        '/api/kpis/artists',
        invalidQuery(
          range,
          { from: notADate, to: notADate, limit: notALimit(1000) },
          ['from', 'to', 'limit'],
          ['from', 'to'],
        ),
        founder,
        'invalid',
      ),
      get(
        '/api/kpis/artists',
        edgeQuery(false).map((pairs) => pairs.filter(([k]) => k !== 'asOf')),
        founder,
        'any',
      ),
      refused('/api/kpis/artists'),
      refused('/api/kpis/artists', operator),
    ),
    'GET /api/kpis/cohorts': fc.oneof(
      get(
        '/api/kpis/cohorts',
        invalidQuery(
          range,
          { from: notADate, to: notADate, asOf: notAnInstant },
          ['from', 'to', 'asOf'],
          ['from', 'to'],
        ),
        founder,
        'invalid',
      ),
      get(
        '/api/kpis/cohorts',
        fc.constant<QueryPair[]>([
          ['from', '1000-01-01'],
          ['to', '3000-01-01'],
        ]),
        founder,
        'invalid',
      ),
      get('/api/kpis/cohorts', edgeQuery(false), founder, 'any'),
      refused('/api/kpis/cohorts'),
      refused('/api/kpis/cohorts', operator),
    ),
    'GET /api/kpis/ltv': fc.oneof(
      get('/api/kpis/ltv', invalidQuery({}, { asOf: notAnInstant }, ['asOf']), founder, 'invalid'),
      get(
        '/api/kpis/ltv',
        edgeInstant.map((asOf): QueryPair[] => [['asOf', asOf]]),
        founder,
        'any',
      ),
      refused('/api/kpis/ltv'),
      refused('/api/kpis/ltv', operator),
    ),
    'GET /api/health': fc.oneof(
      get(
        '/api/health',
        invalidQuery({ window: '5m' }, { window: notAWindow }, ['window']).filter((pairs) =>
          pairs.some(([k]) => k === 'window'),
        ),
        operator,
        'invalid',
      ),
      get('/api/health', anyQuery(['window']), founder, 'any'),
      refused('/api/health'),
    ),
    'GET /api/alerts': fc.oneof(
      get('/api/alerts', invalidQuery({}, { limit: notALimit(1000) }, ['limit']), operator, 'invalid'),
      refused('/api/alerts'),
    ),
    'GET /api/scaling': fc.oneof(
      get(
        '/api/scaling',
        fc.array(
          fc.tuple(
            unknownName([]),
            nastyString.map((v) => v.slice(0, 300)),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        operator,
        'invalid',
      ),
      refused('/api/scaling'),
    ),
    'POST /api/scaling/items/:id': fc.oneof(
      invalidBodyCases('POST', '/api/scaling/items/automated-backups', operator, scalingRecord, {
        done: { kind: 'boolean', required: true },
        recordedBy: {
          kind: 'string',
          required: true,
          invalid: fc.constantFrom('', '  ', longString(101), longString(101, '🎸')),
        },
        note: { kind: 'string', required: false, invalid: fc.constant(longString(1001, 'é')) },
      }),
      notAnId.map((id) => ({
        method: 'POST' as const,
        path: `/api/scaling/items/${id}`,
        headers: { ...founder, 'content-type': 'application/json' },
        body: JSON.stringify(scalingRecord),
        expect: 'invalid' as const,
      })),
      fc.constantFrom('postgresql', 'connection-pool', 'rate-limiting').map((id) => ({
        method: 'POST' as const,
        path: `/api/scaling/items/${id}`,
        headers: { ...operator, 'content-type': 'application/json' },
        body: JSON.stringify(scalingRecord),
        expect: 'invalid' as const,
      })),
      garbageAuth.map((headers) => ({
        method: 'POST' as const,
        path: '/api/scaling/items/automated-backups',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(scalingRecord),
        expect: 'invalid' as const,
      })),
    ),
    'GET /api/scaling/items/:id/records': fc.oneof(
      get(
        '/api/scaling/items/automated-backups/records',
        invalidQuery({}, { limit: notALimit(200) }, ['limit']),
        operator,
        'invalid',
      ),
      notAnId.map((id) => ({
        method: 'GET' as const,
        path: `/api/scaling/items/${id}/records`,
        headers: operator,
        expect: 'invalid' as const,
      })),
      refused('/api/scaling/items/automated-backups/records'),
    ),
    'GET /api/session': fc.oneof(
      get('/api/session', anyQuery(['role']), operator, 'any'),
      refused('/api/session'),
    ),
    'GET /api/catalog': fc.oneof(
      get('/api/catalog', anyQuery(['role']), founder, 'any'),
      refused('/api/catalog'),
    ),
    'GET /metrics': fc.oneof(
      get('/metrics', anyQuery(['name[]']), founder, 'any'),
      refused('/metrics'),
      refused('/metrics', operator),
    ),
    'GET /healthz': fc.oneof(
      get('/healthz', anyQuery(['verbose']), {}, 'any'),
      fc.constant({
        method: 'POST' as const,
        path: '/healthz',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        expect: 'invalid' as const,
      }),
    ),
  };
}

/** A stub agent for the live health source: one counter growing on every scrape. */
function stubAgent(): Server {
  let scrapes = 0;
  return createServer((_req, res) => {
    scrapes += 1;
    const labels =
      'service_instance_id="stub-1",http_route="/api/artists/:id",http_request_method="GET",http_response_status_code="200"';
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      .end(
        `# TYPE http_server_request_duration histogram\nhttp_server_request_duration_bucket{${labels},le="+Inf"} ${10 * scrapes}\nhttp_server_request_duration_sum{${labels}} ${scrapes}\nhttp_server_request_duration_count{${labels}} ${10 * scrapes}\n`,
      );
  });
}

describeEachDatabase('collector under generated bad input', ({ fresh }) => {
  let agent: Server;
  let collector: RunningCollector;

  beforeAll(async () => {
    agent = stubAgent();
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    const { port } = agent.address() as AddressInfo;
    // The collector on this suite's database (PGlite or PostgreSQL), with the test tokens and the stub agent.
    collector = await startCollector(
      {
        database: { kind: 'embedded', dataDir: 'memory://' },
        currency: 'USD',
        host: '127.0.0.1',
        port: 0,
        founderToken: testTokens.founder,
        operatorToken: testTokens.operator,
        health: {
          agentMetricsUrls: [`http://127.0.0.1:${port}/metrics`],
          scrapeIntervalMs: 1_000,
          retentionMs: 3_600_000,
        },
        alerts: { evaluationIntervalMs: 60_000 },
        redisConfigured: false,
      },
      () => undefined,
      { db: await fresh() },
    );
    console.log(
      `collector fuzz: seed ${fuzzSeed} (replay with FUZZ_SEED=${fuzzSeed}), ${runsPerRoute} requests per route`,
    );
  });
  afterAll(async () => {
    await collector?.stop();
    agent?.close();
  });

  it('answers every generated request with a 4xx in the error shape (2xx only where the input is valid), never a 5xx, and writes no row', async () => {
    const before = await rowCounts(collector.db);
    const failures: FuzzFailure[] = [];
    const sentPerRoute: Record<string, number> = {};
    for (const [route, arbitrary] of Object.entries(routeCases())) {
      const result = await runCases(collector.url, route, casesOf(arbitrary));
      sentPerRoute[route] = result.sent;
      failures.push(...result.failures);
      console.log(`${route}: ${result.sent} requests, statuses ${JSON.stringify(result.statuses)}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(Object.keys(sentPerRoute)).toHaveLength(13);
    expect(Object.values(sentPerRoute).every((sent) => sent >= 1000)).toBe(true);
    expect(await rowCounts(collector.db)).toEqual(before);
  }, 120_000);
});
