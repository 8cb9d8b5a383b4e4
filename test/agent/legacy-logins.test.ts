// Users imported from the legacy Pledgr app sign in with their old password: their bcryptjs hash (cost 10)
// verifies, and the first successful login replaces it with a scrypt hash (compare-and-set, so concurrent
// first logins cannot clobber each other). Weaker scrypt hashes are upgraded the same way. On PGlite and on
// PostgreSQL, over real HTTP. Accounts whose emails differ only in case (the old app allowed them) each sign
// in with their own password.
import { scryptSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { upgradePasswordHash } from '../../agent/stores/user-store.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { QueryEvent } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { needsRehash, verifyPassword } from '../../core/password.ts';
import { type ApiResponse, call, startTestAgent, type TestAgent } from '../support/agent-app.ts';
import { describeEachDatabase } from '../support/databases.ts';

const insertUser = defineQuery<{ email: string; passwordHash: string }, { id: number }>(
  'test.insertImportedUser',
  'INSERT INTO users (email, password_hash, name) VALUES (:email, :passwordHash, NULL) RETURNING id',
);
const storedHash = defineQuery<{ email: string }, { passwordHash: string }>(
  'test.storedPasswordHash',
  'SELECT password_hash AS "passwordHash" FROM users WHERE email = :email',
);

/** What the legacy app stores: bcryptjs at cost 10 (its bcryptjs 2.x wrote `$2a$`). */
const legacyHash = (password: string, prefix: '$2a$' | '$2b$' | '$2y$' = '$2a$') =>
  bcrypt.hashSync(password, bcrypt.genSaltSync(10).replace(/^\$2[aby]\$/, prefix));

type Body = Record<string, unknown> & { token?: string; error?: { code: string } };

describeEachDatabase('legacy bcrypt logins', ({ db }) => {
  let agent: TestAgent;

  const hashOf = async (email: string) => (await db().query(storedHash, { email }))[0]?.passwordHash;
  const importUser = async (email: string, passwordHash: string) =>
    (await db().query(insertUser, { email, passwordHash }))[0]?.id as number;
  const login = (email: string, password: string) =>
    call<Body>(agent, 'POST', '/api/auth/login', { body: { email, password } });
  const expectSignedIn = async (response: ApiResponse<Body>) => {
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['token']);
    expect(response.body.token).toMatch(/^[\w-]{40,}$/);
    const me = await call<Body>(agent, 'GET', '/api/me', { token: response.body.token as string });
    expect(me.status).toBe(200);
  };
  const expectRejected = (response: ApiResponse<Body>) =>
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({
      status: 401,
      code: 'invalid_credentials',
    });

  beforeAll(async () => {
    await migrate(db());
    agent = await startTestAgent(db());
  });
  afterAll(async () => {
    await agent?.close();
  });

  it('signs an imported user in with the old password and re-hashes it to scrypt', async () => {
    const original = legacyHash('old pledgr password');
    await importUser('imported@example.org', original);

    expectRejected(await login('imported@example.org', 'a wrong password'));
    expect(await hashOf('imported@example.org')).toBe(original); // a failed login changes nothing

    await expectSignedIn(await login('imported@example.org', 'old pledgr password'));
    const upgraded = (await hashOf('imported@example.org')) as string;
    expect(upgraded).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(needsRehash(upgraded)).toBe(false);
    expect(await verifyPassword('old pledgr password', upgraded)).toBe(true);

    await expectSignedIn(await login('imported@example.org', 'old pledgr password'));
    expect(await hashOf('imported@example.org')).toBe(upgraded); // not re-hashed again
    expectRejected(await login('imported@example.org', 'a wrong password'));
    expectRejected(await login('imported@example.org', 'old pledgr passwor'));
  });

  it('signs in each of two imported accounts whose emails differ only in case, with its own password', async () => {
    const lower = await importUser('twin@example.org', legacyHash('lower twin password'));
    const upper = await importUser('Twin@Example.org', legacyHash('upper twin password'));
    const whoAmI = async (password: string) => {
      const response = await login('TWIN@example.org', password);
      await expectSignedIn(response);
      const me = await call<{ user: { id: number } }>(agent, 'GET', '/api/me', {
        token: response.body.token as string,
      });
      return me.body.user.id;
    };
    expect(await whoAmI('lower twin password')).toBe(lower);
    expect(await whoAmI('upper twin password')).toBe(upper);
    expectRejected(await login('twin@example.org', 'neither twin password'));
  });

  it('accepts the $2b$ and $2y$ variants', async () => {
    for (const prefix of ['$2b$', '$2y$'] as const) {
      const email = `variant-${prefix.slice(1, 3)}@example.org`;
      await importUser(email, legacyHash('variant password', prefix));
      expectRejected(await login(email, 'not the password'));
      await expectSignedIn(await login(email, 'variant password'));
      expect(await hashOf(email)).toMatch(/^scrypt\$/);
      await expectSignedIn(await login(email, 'variant password'));
    }
  });

  it('answers 401, not 500, for a malformed bcrypt hash, and leaves it alone', async () => {
    const good = legacyHash('some password');
    for (const [i, stored] of [
      good.slice(0, -1),
      `$2a$10$${'!'.repeat(53)}`,
      `$2x$10$${good.slice(7)}`,
      `$2a$99$${good.slice(7)}`,
      '$2a$10$',
    ].entries()) {
      const email = `malformed-${i}@example.org`;
      await importUser(email, stored);
      expectRejected(await login(email, 'some password'));
      expect(await hashOf(email)).toBe(stored);
    }
  });

  it('lets two concurrent first logins both succeed, with one hash written that verifies', async () => {
    await importUser('twice@example.org', legacyHash('at the same time'));
    const upgrades: QueryEvent[] = [];
    const unsubscribe = db().onQuery((event) => {
      if (event.queryName === 'users.replacePasswordHash') upgrades.push(event);
    });
    try {
      const responses = await Promise.all([
        login('twice@example.org', 'at the same time'),
        login('twice@example.org', 'at the same time'),
      ]);
      for (const response of responses) await expectSignedIn(response);
    } finally {
      unsubscribe();
    }
    // Each login that read the bcrypt hash tried the compare-and-set; exactly one of them replaced it.
    expect(upgrades.length).toBeGreaterThanOrEqual(1);
    expect(upgrades.reduce((sum, event) => sum + event.rowCount, 0)).toBe(1);
    const final = (await hashOf('twice@example.org')) as string;
    expect(final).toMatch(/^scrypt\$16384\$/);
    expect(await verifyPassword('at the same time', final)).toBe(true);
    await expectSignedIn(await login('twice@example.org', 'at the same time'));
  });

  it('replaces a hash only while it is still the expected old one', async () => {
    const original = legacyHash('compare and set');
    const id = await importUser('cas@example.org', original);
    const ok = { id, expected: original, replacement: 'scrypt$first' };
    expect(await upgradePasswordHash(db(), ok)).toBe(true);
    expect(await upgradePasswordHash(db(), { ...ok, replacement: 'scrypt$second' })).toBe(false);
    expect(await hashOf('cas@example.org')).toBe('scrypt$first');
  });

  it('upgrades a scrypt hash below the current parameters on login', async () => {
    const salt = Buffer.alloc(16, 3);
    const key = scryptSync('weaker scrypt', salt, 32, { N: 8192, r: 8, p: 1 });
    const weak = ['scrypt', 8192, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    await importUser('weak@example.org', weak);
    expectRejected(await login('weak@example.org', 'not it at all'));
    expect(await hashOf('weak@example.org')).toBe(weak);
    await expectSignedIn(await login('weak@example.org', 'weaker scrypt'));
    expect(await hashOf('weak@example.org')).toMatch(/^scrypt\$16384\$8\$1\$/);
    await expectSignedIn(await login('weak@example.org', 'weaker scrypt'));
  });

  it('does not re-hash a registered user’s current scrypt hash', async () => {
    const registered = await call<Body>(agent, 'POST', '/api/auth/register', {
      body: { email: 'fresh@example.org', password: 'registered here' },
    });
    expect(registered.status).toBe(201);
    const stored = await hashOf('fresh@example.org');
    await expectSignedIn(await login('fresh@example.org', 'registered here'));
    expect(await hashOf('fresh@example.org')).toBe(stored);
  });
});
