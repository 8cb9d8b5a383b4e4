// Every route of the pledge API over real HTTP, on PGlite and on PostgreSQL: success, each validation failure
// (400 with the field named, nothing written), 401/403/404/409/415/413, idempotent retries (one row) and
// 50 concurrent pledges (exact counts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defineQuery } from '../../core/db/query.ts';
import { migrate } from '../../core/migrate.ts';
import { type ApiResponse, call, startTestAgent, type TestAgent } from '../support/agent-app.ts';
import { describeEachDatabase } from '../support/databases.ts';

const countRows = defineQuery<
  Record<string, never>,
  { users: number; artists: number; pledges: number; sessions: number }
>(
  'test.countAgentRows',
  `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM artists) AS artists,
          (SELECT count(*) FROM pledges) AS pledges, (SELECT count(*) FROM sessions) AS sessions`,
);

type Body = Record<string, unknown> & { error?: { code: string; message: string } };

function expectError(response: ApiResponse<Body>, status: number, code: string, message?: RegExp) {
  expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status, code });
  if (message) expect(response.body.error?.message).toMatch(message);
}

describeEachDatabase('pledge API', ({ db }) => {
  let agent: TestAgent;
  let ann: string;
  let bob: string;
  let artistId: number;

  const rows = async () => (await db().query(countRows, {}))[0];
  /** Runs `request` and asserts that it changed no row of any table. */
  async function writesNothing(request: () => Promise<ApiResponse<Body>>): Promise<ApiResponse<Body>> {
    const before = await rows();
    const response = await request();
    expect(await rows()).toEqual(before);
    return response;
  }

  beforeAll(async () => {
    await migrate(db());
    agent = await startTestAgent(db());
  });
  afterAll(async () => {
    await agent?.close();
  });

  it('registers a user, lower-casing the email, and returns a token', async () => {
    const response = await call<Body>(agent, 'POST', '/api/auth/register', {
      body: { email: ' Ann@Example.COM ', password: 'correct horse', name: 'Ann' },
    });
    expect(response.status).toBe(201);
    expect(response.body.user).toEqual({ id: expect.any(Number), email: 'ann@example.com', name: 'Ann' });
    ann = response.body.token as string;
    expect(ann).toMatch(/^[\w-]{40,}$/);
    const second = await call<Body>(agent, 'POST', '/api/auth/register', {
      body: { email: 'bob@example.com', password: 'another secret' },
    });
    bob = second.body.token as string;
  });

  it('refuses a taken email with 409, whatever its case', async () => {
    const response = await writesNothing(() =>
      call(agent, 'POST', '/api/auth/register', {
        body: { email: 'ANN@example.com', password: 'whatever1' },
      }),
    );
    expectError(response, 409, 'email_taken');
  });

  const badRegistrations: [string, unknown, RegExp][] = [
    ['missing email', { password: 'long enough' }, /^email is required/],
    ['bad email', { email: 'not-an-email', password: 'long enough' }, /^email must be an email address/],
    ['short password', { email: 'c@example.com', password: 'short' }, /^password must be at least 8/],
    ['numeric password', { email: 'c@example.com', password: 12345678 }, /^password is required, as text/],
    [
      'long name',
      { email: 'c@example.com', password: 'long enough', name: 'x'.repeat(101) },
      /^name must be at most 100/,
    ],
    [
      'extra field',
      { email: 'c@example.com', password: 'long enough', admin: true },
      /^admin is not a field/,
    ],
    ['array body', [1, 2], /^body/],
  ];
  for (const [what, body, message] of badRegistrations) {
    it(`answers 400 for a registration with ${what}, writing nothing`, async () => {
      expectError(
        await writesNothing(() => call(agent, 'POST', '/api/auth/register', { body })),
        400,
        'invalid_parameter',
        message,
      );
    });
  }

  it('answers 400 for invalid JSON, 415 for a non-JSON body and 413 for a huge one, writing nothing', async () => {
    const rawJson = { headers: { 'content-type': 'application/json' } };
    expect(
      (
        await writesNothing(() =>
          call(agent, 'POST', '/api/auth/register', { ...rawJson, rawBody: '{"email":' }),
        )
      ).status,
    ).toBe(400);
    const form = await writesNothing(() =>
      call(agent, 'POST', '/api/auth/register', {
        rawBody: 'email=a',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
    );
    expectError(form, 415, 'unsupported_media_type');
    const huge = JSON.stringify({ email: 'c@example.com', password: 'x'.repeat(20_000) });
    expect(
      (await writesNothing(() => call(agent, 'POST', '/api/auth/register', { ...rawJson, rawBody: huge })))
        .status,
    ).toBe(413);
  });

  it('logs in with the right password and refuses a wrong one or an unknown email alike', async () => {
    const ok = await call<Body>(agent, 'POST', '/api/auth/login', {
      body: { email: 'ann@example.com', password: 'correct horse' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.token).toMatch(/^[\w-]{40,}$/);
    const wrong = await call<Body>(agent, 'POST', '/api/auth/login', {
      body: { email: 'ann@example.com', password: 'wrong horse' },
    });
    const unknown = await call<Body>(agent, 'POST', '/api/auth/login', {
      body: { email: 'zed@example.com', password: 'wrong horse' },
    });
    expectError(wrong, 401, 'invalid_credentials');
    expect(unknown.body).toEqual(wrong.body);
    expectError(
      await call(agent, 'POST', '/api/auth/login', { body: { email: 'ann@example.com' } }),
      400,
      'invalid_parameter',
      /^password/,
    );
  });

  it('shows the signed-in user and refuses a missing or unknown token with 401', async () => {
    const me = await call<Body>(agent, 'GET', '/api/me', { token: ann });
    expect(me.body.user).toMatchObject({ email: 'ann@example.com', name: 'Ann' });
    expectError(await call(agent, 'GET', '/api/me'), 401, 'unauthorized');
    expectError(await call(agent, 'GET', '/api/me', { token: 'x'.repeat(43) }), 401, 'unauthorized');
  });

  it('revokes a token on logout and refuses an expired one', async () => {
    const login = await call<Body>(agent, 'POST', '/api/auth/login', {
      body: { email: 'bob@example.com', password: 'another secret' },
    });
    const token = login.body.token as string;
    expect((await call(agent, 'POST', '/api/auth/logout', { token })).status).toBe(204);
    expectError(await call(agent, 'GET', '/api/me', { token }), 401, 'unauthorized');
    const expire = defineQuery(
      'test.expireSessions',
      "UPDATE sessions SET expires_at = now() - interval '1 second'",
    );
    const fresh = (
      await call<Body>(agent, 'POST', '/api/auth/login', {
        body: { email: 'bob@example.com', password: 'another secret' },
      })
    ).body.token as string;
    await db().query(expire, {});
    expectError(await call(agent, 'GET', '/api/me', { token: fresh }), 401, 'unauthorized');
    ann = (
      await call<Body>(agent, 'POST', '/api/auth/login', {
        body: { email: 'ann@example.com', password: 'correct horse' },
      })
    ).body.token as string;
    bob = (
      await call<Body>(agent, 'POST', '/api/auth/login', {
        body: { email: 'bob@example.com', password: 'another secret' },
      })
    ).body.token as string;
  });

  it('creates artists for a signed-in user only, and validates the name', async () => {
    expectError(
      await writesNothing(() => call(agent, 'POST', '/api/artists', { body: { name: 'Nope' } })),
      401,
      'unauthorized',
    );
    expectError(
      await writesNothing(() => call(agent, 'POST', '/api/artists', { token: ann, body: { name: '  ' } })),
      400,
      'invalid_parameter',
      /^name must not be empty/,
    );
    const created = await call<Body>(agent, 'POST', '/api/artists', {
      token: ann,
      body: { name: 'The Velvet Comets' },
    });
    expect(created.status).toBe(201);
    expect(created.body.artist).toMatchObject({ name: 'The Velvet Comets', ownerId: expect.any(Number) });
    artistId = (created.body.artist as { id: number }).id;
    for (const name of ['B', 'C', 'D'])
      await call(agent, 'POST', '/api/artists', { token: bob, body: { name } });
  });

  it('lists artists page by page and shows one with its active fans', async () => {
    const first = await call<Body>(agent, 'GET', '/api/artists?limit=2');
    expect((first.body.artists as unknown[]).length).toBe(2);
    const next = await call<Body>(agent, 'GET', `/api/artists?limit=2&after=${first.body.nextAfter}`);
    expect((next.body.artists as { id: number }[])[0]?.id).toBeGreaterThan(first.body.nextAfter as number);
    const last = await call<Body>(agent, 'GET', `/api/artists?limit=2&after=${next.body.nextAfter}`);
    expect(last.body).toEqual({ artists: [], nextAfter: null });
    const one = await call<Body>(agent, 'GET', `/api/artists/${artistId}`);
    expect(one.body.artist).toMatchObject({ id: artistId, name: 'The Velvet Comets', activePledgers: 0 });
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'after=-1', 'page=2']) {
      expectError(await call(agent, 'GET', `/api/artists?${query}`), 400, 'invalid_parameter');
    }
    for (const id of ['999999', '0', 'abc', '1e3', '99999999999999999999']) {
      expectError(await call(agent, 'GET', `/api/artists/${id}`), 404, 'not_found');
    }
  });

  it('creates a pledge and refuses each bad pledge with 400 or 404, writing nothing', async () => {
    const created = await call<Body>(agent, 'POST', '/api/pledges', {
      token: ann,
      body: { artistId, amountCents: 500 },
    });
    expect(created.status).toBe(201);
    expect(created.body.pledge).toMatchObject({ artistId, amountCents: 500, cancelledAt: null });
    const bad: [unknown, RegExp][] = [
      [{ artistId, amountCents: 0 }, /^amountCents must be at least 1/],
      [{ artistId, amountCents: -5 }, /^amountCents must be at least 1/],
      [{ artistId, amountCents: 1.5 }, /^amountCents must be a whole number/],
      [{ artistId, amountCents: '500' }, /^amountCents must be a whole number/],
      [{ artistId, amountCents: 1_000_001 }, /^amountCents must be at most 1000000/],
      [{ amountCents: 500 }, /^artistId must be an artist id/],
      [{ artistId, amountCents: 500, userId: 2 }, /^userId is not a field/],
    ];
    for (const [body, message] of bad) {
      expectError(
        await writesNothing(() => call(agent, 'POST', '/api/pledges', { token: ann, body })),
        400,
        'invalid_parameter',
        message,
      );
    }
    expectError(
      await writesNothing(() =>
        call(agent, 'POST', '/api/pledges', { token: ann, body: { artistId: 424242, amountCents: 500 } }),
      ),
      404,
      'artist_not_found',
    );
    expectError(
      await writesNothing(() =>
        call(agent, 'POST', '/api/pledges', { body: { artistId, amountCents: 500 } }),
      ),
      401,
      'unauthorized',
    );
  });

  it('returns the first result for a retry under the same Idempotency-Key and refuses the key for another pledge', async () => {
    const headers = { 'idempotency-key': 'retry-me-1' };
    const first = await call<Body>(agent, 'POST', '/api/pledges', {
      token: bob,
      headers,
      body: { artistId, amountCents: 700 },
    });
    const retry = await writesNothing(() =>
      call(agent, 'POST', '/api/pledges', { token: bob, headers, body: { artistId, amountCents: 700 } }),
    );
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expectError(
      await writesNothing(() =>
        call(agent, 'POST', '/api/pledges', { token: bob, headers, body: { artistId, amountCents: 900 } }),
      ),
      422,
      'idempotency_key_reused',
    );
    // The same key from another user is another key.
    expect(
      (
        await call(agent, 'POST', '/api/pledges', {
          token: ann,
          headers,
          body: { artistId, amountCents: 700 },
        })
      ).status,
    ).toBe(201);
    expectError(
      await call(agent, 'POST', '/api/pledges', {
        token: bob,
        headers: { 'idempotency-key': 'bad key' },
        body: { artistId, amountCents: 1 },
      }),
      400,
      'invalid_parameter',
      /^Idempotency-Key/,
    );
  });

  it('creates exactly one pledge per key under 50 concurrent requests, and 50 for 50 keys', async () => {
    const before = (await rows())?.pledges ?? 0;
    const same = await Promise.all(
      Array.from({ length: 50 }, () =>
        call<Body>(agent, 'POST', '/api/pledges', {
          token: bob,
          headers: { 'idempotency-key': 'storm' },
          body: { artistId, amountCents: 300 },
        }),
      ),
    );
    expect(same.every((response) => response.status === 201)).toBe(true);
    expect(new Set(same.map((response) => (response.body.pledge as { id: number }).id)).size).toBe(1);
    expect((await rows())?.pledges).toBe(before + 1);
    const distinct = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call(agent, 'POST', '/api/pledges', {
          token: bob,
          headers: { 'idempotency-key': `k-${i}` },
          body: { artistId, amountCents: 100 + i },
        }),
      ),
    );
    expect(distinct.filter((response) => response.status === 201)).toHaveLength(50);
    expect((await rows())?.pledges).toBe(before + 51);
  });

  it('changes an amount by cancelling and re-creating at the same instant, for the owner only', async () => {
    const pledge = (
      await call<Body>(agent, 'POST', '/api/pledges', { token: ann, body: { artistId, amountCents: 1000 } })
    ).body.pledge as { id: number };
    const changed = await call<Body>(agent, 'PATCH', `/api/pledges/${pledge.id}`, {
      token: ann,
      body: { amountCents: 2500 },
    });
    expect(changed.status).toBe(200);
    const replacement = changed.body.pledge as { id: number; createdAt: string; amountCents: number };
    expect(replacement.amountCents).toBe(2500);
    const mine = (await call<Body>(agent, 'GET', '/api/me/pledges', { token: ann })).body.pledges as {
      id: number;
      cancelledAt: string | null;
    }[];
    expect(mine.find((p) => p.id === pledge.id)?.cancelledAt).toBe(replacement.createdAt);
    expectError(
      await writesNothing(() =>
        call(agent, 'PATCH', `/api/pledges/${replacement.id}`, { token: bob, body: { amountCents: 1 } }),
      ),
      403,
      'forbidden',
    );
    expectError(
      await writesNothing(() =>
        call(agent, 'PATCH', `/api/pledges/${pledge.id}`, { token: ann, body: { amountCents: 1 } }),
      ),
      409,
      'pledge_cancelled',
    );
    expectError(
      await writesNothing(() =>
        call(agent, 'PATCH', '/api/pledges/987654', { token: ann, body: { amountCents: 1 } }),
      ),
      404,
      'not_found',
    );
    expectError(
      await writesNothing(() =>
        call(agent, 'PATCH', `/api/pledges/${replacement.id}`, { token: ann, body: { amountCents: 2500 } }),
      ),
      400,
      'invalid_parameter',
      /already the pledge amount/,
    );
    expectError(
      await writesNothing(() =>
        call(agent, 'PATCH', `/api/pledges/${replacement.id}`, { token: ann, body: {} }),
      ),
      400,
      'invalid_parameter',
    );
  });

  it('cancels a pledge for its owner; a second cancel changes nothing', async () => {
    const pledge = (
      await call<Body>(agent, 'POST', '/api/pledges', { token: ann, body: { artistId, amountCents: 400 } })
    ).body.pledge as { id: number };
    expectError(
      await writesNothing(() => call(agent, 'DELETE', `/api/pledges/${pledge.id}`, { token: bob })),
      403,
      'forbidden',
    );
    const first = await call<Body>(agent, 'DELETE', `/api/pledges/${pledge.id}`, { token: ann });
    expect(first.status).toBe(200);
    expect((first.body.pledge as { cancelledAt: string }).cancelledAt).toEqual(expect.any(String));
    const second = await writesNothing(() =>
      call<Body>(agent, 'DELETE', `/api/pledges/${pledge.id}`, { token: ann }),
    );
    expect(second.body).toEqual(first.body);
    expectError(await call(agent, 'DELETE', '/api/pledges/987654', { token: ann }), 404, 'not_found');
  });

  it('answers liveness, readiness and unknown routes', async () => {
    expect((await call(agent, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await call(agent, 'GET', '/readyz')).body).toEqual({ status: 'ready', database: db().kind });
    expectError(await call(agent, 'GET', '/api/nothing'), 404, 'not_found');
  });
});
