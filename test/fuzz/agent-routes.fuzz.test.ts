// Fuzzes every route of the pledge API (in process, on PGlite and on PostgreSQL) with ≥ 1,000 generated
// requests each — wrong types, missing and extra fields, invalid JSON, wrong content types, bodies past 16 kB,
// awkward unicode, numbers out of range, SQL/NoSQL injection strings, path ids that are not ids, duplicated
// query parameters, garbage Authorization and Idempotency-Key headers — and proves: never a 5xx, 4xx with
// the JSON error shape wherever the input is invalid, and not one row written, changed or revoked.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../core/migrate.ts';
import { call, startTestAgent, type TestAgent } from '../support/agent-app.ts';
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
import { garbageHeaderValue, injectionStrings, longString, nastyString } from './support/nasty-values.ts';
import { rowCounts } from './support/row-counts.ts';
import { anyQuery, invalidQuery, notAnId, queryString } from './support/url-cases.ts';

interface World {
  readonly ann: string;
  readonly bob: string;
  readonly artistId: number;
  readonly annPledgeId: number;
}

const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Strings no whole-number query parameter accepts. */
const notWholeNumber = fc
  .oneof(
    nastyString,
    fc.constantFrom('-1', '1.5', '1e3', 'NaN', '0x10', '9007199254740993', '99999999999999999'),
  )
  .filter((text) => !/^\d{1,15}$/.test(text))
  .map((text) => text.slice(0, 500));
const notAnEmail = fc.oneof(
  nastyString.filter((text) => !text.includes('@')),
  fc.constant(`${longString(250)}@example.com`),
);
const notAPassword = fc.oneof(fc.string({ maxLength: 7 }), fc.constant(longString(201, '🎸')));
const notAName = fc.constantFrom(
  '',
  '   ',
  '\n\t',
  longString(101),
  longString(101, 'é'),
  longString(5000, '\u202E'),
);
/** Garbage Authorization: the route must answer 401 whatever the rest says. */
const garbageAuth = garbageHeaderValue.map((value) => ({ authorization: value }));
/** Idempotency-Key values outside 1–128 visible ASCII characters (the fault is never at an edge fetch trims). */
const garbageIdempotencyKey = fc.oneof(
  fc
    .tuple(fc.constantFrom(' ', '\t', 'é', 'ÿ', '\u00a0'), fc.string({ minLength: 1, maxLength: 20 }))
    .map(([bad, visible]) => `k${bad}${visible.replace(/[^\x21-\x7e]/g, 'x')}k`),
  fc.integer({ min: 129, max: 4000 }).map((n) => longString(n, 'k')),
);

function routeCases(world: World): Record<string, fc.Arbitrary<FuzzCase>> {
  const ann = bearer(world.ann);
  const bob = bearer(world.bob);
  const getWith = (path: string, auth: Record<string, string>) =>
    anyQuery(['limit', 'after', 'verbose']).map((query) => ({
      method: 'GET' as const,
      path: `${path}${queryString(query)}`,
      headers: auth,
      expect: 'any' as const,
    }));
  const refusedAuth = (method: FuzzCase['method'], path: string, body?: unknown) =>
    garbageAuth.map((headers) => ({
      method,
      path,
      headers: body === undefined ? headers : { ...headers, ...json },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      expect: 'invalid' as const,
    }));
  const wrongMethod = (path: string, auth: Record<string, string>) =>
    fc.constantFrom('PUT' as const, 'PATCH' as const).map((method) => ({
      method,
      path,
      headers: { ...auth, ...json },
      body: '{}',
      expect: 'invalid' as const,
    }));
  const pledge = { artistId: world.artistId, amountCents: 500 };
  const amountField = { kind: 'number', required: true } as const;
  return {
    'POST /api/auth/register': invalidBodyCases(
      'POST',
      '/api/auth/register',
      {},
      { email: 'fuzz-new@example.com', password: 'correct horse battery', name: 'Fuzz' },
      {
        email: { kind: 'string', required: true, invalid: notAnEmail },
        password: { kind: 'string', required: true, invalid: notAPassword },
        name: { kind: 'string', required: false, nullable: true, invalid: notAName },
      },
    ),
    'POST /api/auth/login': fc.oneof(
      invalidBodyCases(
        'POST',
        '/api/auth/login',
        {},
        { email: 'ann-fuzz@example.com', password: 'not the password' },
        { email: { kind: 'string', required: true }, password: { kind: 'string', required: true } },
      ),
      fc
        .tuple(fc.oneof(nastyString, fc.constantFrom(...injectionStrings)), nastyString)
        .map(([email, password]) => ({
          method: 'POST' as const,
          path: '/api/auth/login',
          headers: json,
          body: JSON.stringify({ email: `${email}`, password }),
          expect: 'invalid' as const,
        })),
    ),
    'POST /api/auth/logout': fc.oneof(
      garbageAuth.map((headers) => ({
        method: 'POST' as const,
        path: '/api/auth/logout',
        headers,
        expect: 'any' as const,
      })),
      invalidBodyCases(
        'POST',
        '/api/auth/logout',
        {},
        { all: true },
        { all: { kind: 'boolean', required: true } },
      ).map((fuzzCase) => ({ ...fuzzCase, expect: 'any' as const })),
    ),
    'GET /api/me': fc.oneof(
      refusedAuth('GET', '/api/me'),
      getWith('/api/me', ann),
      wrongMethod('/api/me', ann),
    ),
    'GET /api/me/pledges': fc.oneof(
      refusedAuth('GET', '/api/me/pledges'),
      getWith('/api/me/pledges', ann),
      wrongMethod('/api/me/pledges', ann),
    ),
    'GET /api/artists': invalidQuery(
      { limit: '10' },
      { after: notWholeNumber, limit: fc.oneof(notWholeNumber, fc.constantFrom('0', '101', '100000')) },
      ['after', 'limit'],
    ).map((query) => ({
      method: 'GET' as const,
      path: `/api/artists${queryString(query)}`,
      expect: 'invalid' as const,
    })),
    'GET /api/artists/:id': fc.tuple(notAnId, anyQuery(['x'])).map(([id, query]) => ({
      method: 'GET' as const,
      path: `/api/artists/${id}${queryString(query)}`,
      expect: 'invalid' as const,
    })),
    'POST /api/artists': fc.oneof(
      invalidBodyCases(
        'POST',
        '/api/artists',
        ann,
        { name: 'Fuzz Band' },
        {
          name: { kind: 'string', required: true, invalid: notAName },
        },
      ),
      refusedAuth('POST', '/api/artists', { name: 'Fuzz Band' }),
    ),
    'POST /api/pledges': fc.oneof(
      invalidBodyCases('POST', '/api/pledges', ann, pledge, {
        artistId: { kind: 'number', required: true, invalid: fc.constantFrom(999_999_999, 2 ** 40) },
        amountCents: { ...amountField, invalid: fc.constantFrom(1_000_001, 2 ** 31, 2 ** 53 + 1) },
      }),
      refusedAuth('POST', '/api/pledges', pledge),
      garbageIdempotencyKey.map((key) => ({
        method: 'POST' as const,
        path: '/api/pledges',
        headers: { ...ann, ...json, 'idempotency-key': key },
        body: JSON.stringify(pledge),
        expect: 'invalid' as const,
      })),
    ),
    'PATCH /api/pledges/:id': fc.oneof(
      invalidBodyCases(
        'PATCH',
        `/api/pledges/${world.annPledgeId}`,
        ann,
        { amountCents: 700 },
        {
          amountCents: { ...amountField, invalid: fc.constantFrom(500, 1_000_001, 2 ** 53 + 1) },
        },
      ),
      notAnId.map((id) => ({
        method: 'PATCH' as const,
        path: `/api/pledges/${id}`,
        headers: { ...ann, ...json },
        body: JSON.stringify({ amountCents: 700 }),
        expect: 'invalid' as const,
      })),
      fc.constant({
        method: 'PATCH' as const,
        path: `/api/pledges/${world.annPledgeId}`,
        headers: { ...bob, ...json },
        body: JSON.stringify({ amountCents: 700 }),
        expect: 'invalid' as const,
      }),
      refusedAuth('PATCH', `/api/pledges/${world.annPledgeId}`, { amountCents: 700 }),
    ),
    'DELETE /api/pledges/:id': fc.oneof(
      notAnId.map((id) => ({
        method: 'DELETE' as const,
        path: `/api/pledges/${id}`,
        headers: ann,
        expect: 'invalid' as const,
      })),
      fc.constant({
        method: 'DELETE' as const,
        path: `/api/pledges/${world.annPledgeId}`,
        headers: bob,
        expect: 'invalid' as const,
      }),
      refusedAuth('DELETE', `/api/pledges/${world.annPledgeId}`),
    ),
    'GET /healthz': fc.oneof(
      getWith('/healthz', {}),
      getWith('/healthz', { authorization: 'Bearer junk' }),
      wrongMethod('/healthz', {}),
    ),
    'GET /readyz': fc.oneof(
      getWith('/readyz', {}),
      refusedAuth('GET', '/readyz').map((c) => ({ ...c, expect: 'any' as const })),
      wrongMethod('/readyz', {}),
    ),
  };
}

describeEachDatabase('pledge API under generated bad input', ({ db }) => {
  let agent: TestAgent;
  let world: World;

  beforeAll(async () => {
    await migrate(db());
    agent = await startTestAgent(db());
    const register = async (email: string) =>
      (
        await call<{ token: string }>(agent, 'POST', '/api/auth/register', {
          body: { email, password: 'correct horse battery' },
        })
      ).body.token;
    const ann = await register('ann-fuzz@example.com');
    const bob = await register('bob-fuzz@example.com');
    const artist = await call<{ artist: { id: number } }>(agent, 'POST', '/api/artists', {
      token: ann,
      body: { name: 'Ann Band' },
    });
    const created = await call<{ pledge: { id: number } }>(agent, 'POST', '/api/pledges', {
      token: ann,
      body: { artistId: artist.body.artist.id, amountCents: 500 },
    });
    world = { ann, bob, artistId: artist.body.artist.id, annPledgeId: created.body.pledge.id };
    console.log(
      `agent fuzz: seed ${fuzzSeed} (replay with FUZZ_SEED=${fuzzSeed}), ${runsPerRoute} requests per route`,
    );
  });
  afterAll(async () => {
    await agent?.close();
  });

  it('answers every generated request with a 4xx in the error shape (or a 2xx where the input is ignored), never a 5xx, and writes no row', async () => {
    const before = await rowCounts(db());
    expect(before).toEqual({
      users: 2,
      artists: 1,
      pledges: 1,
      sessions: 2,
      idempotency_keys: 0,
      scaling_records: 0,
      cancelled_pledges: 0,
      revoked_sessions: 0,
    });
    const failures: FuzzFailure[] = [];
    const sentPerRoute: Record<string, number> = {};
    for (const [route, arbitrary] of Object.entries(routeCases(world))) {
      const result = await runCases(agent.url, route, casesOf(arbitrary));
      sentPerRoute[route] = result.sent;
      failures.push(...result.failures);
      console.log(`${route}: ${result.sent} requests, statuses ${JSON.stringify(result.statuses)}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(Object.values(sentPerRoute).every((sent) => sent >= 1000)).toBe(true);
    expect(Object.keys(sentPerRoute)).toHaveLength(13);
    expect(await rowCounts(db())).toEqual(before);
    // The session tokens still work: nothing the fuzzer sent revoked or damaged them.
    expect((await call(agent, 'GET', '/api/me', { token: world.ann })).status).toBe(200);
  }, 120_000);
});
