// The profile cache (REDIS_URL set) against the real Redis, on both databases: a miss reads the database and
// fills, a hit answers without a user query, every change to the user invalidates it (also when it races a
// fill), one user is never served another's profile, and with Redis gone or silent GET /api/me still answers
// from the database and counts result="error". Each test has its own key prefix.
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { LookupResult } from '../../agent/cache/cache-metrics.ts';
import {
  createRedisProfileCache,
  type ProfileCache,
  profileCacheConnection,
  tombstoneSeconds,
} from '../../agent/cache/profile-cache.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db, Queryable } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { type ApiResponse, call, startTestAgent, type TestAgent } from '../support/agent-app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import {
  closedRedisUrl,
  deleteKeys,
  describeWithRedis,
  type RedisRelay,
  startRedisRelay,
  testRedisUrl,
} from '../support/redis.ts';

const renameUser = defineQuery<{ id: number; name: string }, never>(
  'test.renameUser',
  'UPDATE users SET name = :name WHERE id = :id',
);
const setPasswordHash = defineQuery<{ id: number; passwordHash: string }, never>(
  'test.setPasswordHash',
  'UPDATE users SET password_hash = :passwordHash WHERE id = :id',
);

type Me = { user: { id: number; email: string; name: string | null; createdAt: string } };
type Registered = { user: { id: number; email: string; name: string | null }; token: string };

interface Harness {
  readonly agent: TestAgent;
  readonly prefix: string;
  readonly lookups: LookupResult[];
  readonly cache: ProfileCache;
  /** users.find queries run since the harness started. */
  userQueries(): number;
  close(): Promise<void>;
}

const toClose: Harness[] = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((harness) => harness.close()));
});

async function harness(db: Db, redisUrl = testRedisUrl, wrapDb?: (db: Db) => Db): Promise<Harness> {
  const prefix = `pulse-test-${randomBytes(6).toString('hex')}:`;
  const lookups: LookupResult[] = [];
  const shared = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  shared.on('error', () => undefined);
  const connection = profileCacheConnection(shared);
  await new Promise<void>((resolve) => {
    if (connection.status === 'ready') return resolve();
    connection.once('ready', () => resolve());
    connection.once('error', () => resolve());
    setTimeout(resolve, 500);
  });
  const cache = createRedisProfileCache({
    redis: connection,
    keyPrefix: prefix,
    record: (result) => lookups.push(result),
  });
  let count = 0;
  const unsubscribe = db.onQuery((event) => {
    if (event.queryName === 'users.find') count += 1;
  });
  const agent = await startTestAgent(wrapDb ? wrapDb(db) : db, {}, { profiles: cache });
  const h: Harness = {
    agent,
    prefix,
    lookups,
    cache,
    userQueries: () => count,
    async close() {
      unsubscribe();
      await agent.close();
      connection.disconnect();
      shared.disconnect();
      if (redisUrl === testRedisUrl) await deleteKeys(prefix);
    },
  };
  toClose.push(h);
  return h;
}

let serial = 0;
async function register(agent: TestAgent, name: string): Promise<Registered> {
  serial += 1;
  const email = `cache-${Date.now()}-${serial}-${randomBytes(3).toString('hex')}@example.test`;
  const response = await call<Registered>(agent, 'POST', '/api/auth/register', {
    body: { email, password: 'correct horse battery', name },
  });
  expect(response.status).toBe(201);
  return response.body;
}

const me = (agent: TestAgent, token: string) => call<Me>(agent, 'GET', '/api/me', { token });

function expectProfile(response: ApiResponse<Me>, user: Registered['user']): void {
  expect(response.status).toBe(200);
  expect(response.body.user).toMatchObject({ id: user.id, email: user.email, name: user.name });
}

describeWithRedis('profile cache', () => {
  describeEachDatabase('profile cache', ({ db }) => {
    let redis: Redis;
    beforeAll(async () => {
      await migrate(db());
      redis = new Redis(testRedisUrl);
    });
    afterAll(() => redis?.disconnect());

    it('misses once (reading the database and filling), then hits without a user query', async () => {
      const h = await harness(db());
      const alice = await register(h.agent, 'Alice');
      const first = await me(h.agent, alice.token);
      expectProfile(first, alice.user);
      expect(h.lookups).toEqual(['miss']);
      expect(h.userQueries()).toBe(1);

      const second = await me(h.agent, alice.token);
      expect(second.body).toEqual(first.body);
      expect(h.lookups).toEqual(['miss', 'hit']);
      expect(h.userQueries()).toBe(1);

      // The value: the four public fields under the user's id, an hour to live; no hash, no token.
      const key = `${h.prefix}user:${alice.user.id}:profile`;
      const stored = (await redis.get(key)) as string;
      expect(Object.keys(JSON.parse(stored)).sort()).toEqual(['createdAt', 'email', 'id', 'name']);
      expect(stored).not.toContain(alice.token);
      expect(stored).not.toMatch(/scrypt|\$2[aby]\$/);
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(3590);
      expect(ttl).toBeLessThanOrEqual(3600);
      expect(await redis.keys(`${h.prefix}*`)).toEqual([key]);
    });

    it('a revoked token is refused even while its profile is cached (sessions are not cached)', async () => {
      const h = await harness(db());
      const bob = await register(h.agent, 'Bob');
      expect((await me(h.agent, bob.token)).status).toBe(200);
      expect((await me(h.agent, bob.token)).status).toBe(200);
      expect(h.lookups).toEqual(['miss', 'hit']);
      expect((await call(h.agent, 'POST', '/api/auth/logout', { token: bob.token })).status).toBe(204);
      expect((await me(h.agent, bob.token)).status).toBe(401);
      expect(h.lookups).toEqual(['miss', 'hit']);
    });

    it('a change to the user invalidates the cached profile: the next read is a miss with the new data', async () => {
      const h = await harness(db());
      const carol = await register(h.agent, 'Carol');
      await me(h.agent, carol.token);
      await me(h.agent, carol.token);
      await db().query(renameUser, { id: carol.user.id, name: 'Caroline' });
      await h.cache.invalidate(carol.user.id);
      const after = await me(h.agent, carol.token);
      expect(after.body.user.name).toBe('Caroline');
      expect(h.lookups).toEqual(['miss', 'hit', 'miss']);
      expect(h.userQueries()).toBe(2);
      // The tombstone is short-lived; after it, the profile is cached again.
      const key = `${h.prefix}user:${carol.user.id}:profile`;
      expect(await redis.ttl(key)).toBeLessThanOrEqual(tombstoneSeconds);
      await redis.del(key);
      await me(h.agent, carol.token);
      expect((await me(h.agent, carol.token)).body.user.name).toBe('Caroline');
      expect(h.lookups.slice(-2)).toEqual(['miss', 'hit']);
    });

    it('the password-hash upgrade at login invalidates the profile (a write to the user row)', async () => {
      const h = await harness(db());
      const dave = await register(h.agent, 'Dave');
      await db().query(setPasswordHash, {
        id: dave.user.id,
        passwordHash: bcrypt.hashSync('correct horse battery', 4),
      });
      await me(h.agent, dave.token);
      await me(h.agent, dave.token);
      expect(h.lookups).toEqual(['miss', 'hit']);
      const login = await call<{ token: string }>(h.agent, 'POST', '/api/auth/login', {
        body: { email: dave.user.email, password: 'correct horse battery' },
      });
      expect(login.status).toBe(200);
      expectProfile(await me(h.agent, login.body.token), dave.user);
      expect(h.lookups).toEqual(['miss', 'hit', 'miss']);
      // A login that upgrades nothing writes nothing and invalidates nothing.
      await call(h.agent, 'POST', '/api/auth/login', {
        body: { email: dave.user.email, password: 'correct horse battery' },
      });
      await me(h.agent, login.body.token);
      expect(h.lookups).toEqual(['miss', 'hit', 'miss', 'miss']);
      await me(h.agent, login.body.token);
      expect(h.lookups.at(-1)).toBe('miss'); // still the tombstone's seconds: read from the database
    });

    it('a fill that read the row before a change cannot put the old profile back', async () => {
      let gate: Promise<void> | null = null;
      let release: () => void = () => undefined;
      let reached: () => void = () => undefined;
      const reachedRead = new Promise<void>((resolve) => {
        reached = resolve;
      });
      // Holds the first users.find answer (the old row) until the test has changed and invalidated the user.
      const slowUserReads = (inner: Db): Db => ({
        ...inner,
        transaction: (work) => inner.transaction(work),
        onQuery: (listener) => inner.onQuery(listener),
        poolStats: () => inner.poolStats(),
        close: () => inner.close(),
        copyRows: (target, rows) => inner.copyRows(target, rows),
        runScript: (name, sql) => inner.runScript(name, sql),
        async query(query, params) {
          const rows = await (inner as Queryable).query(query, params);
          if (query.name === 'users.find' && gate) {
            reached();
            await gate;
          }
          return rows;
        },
      });
      const h = await harness(db(), testRedisUrl, slowUserReads);
      const erin = await register(h.agent, 'Erin');
      gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const stale = me(h.agent, erin.token);
      await reachedRead;
      await db().query(renameUser, { id: erin.user.id, name: 'Erin B.' });
      await h.cache.invalidate(erin.user.id);
      gate = null;
      release();
      expect((await stale).body.user.name).toBe('Erin');
      expect((await me(h.agent, erin.token)).body.user.name).toBe('Erin B.');
    });

    it('never serves one user the profile of another, interleaved or with a planted value', async () => {
      const h = await harness(db());
      const users = await Promise.all(['Frank', 'Grace', 'Heidi'].map((name) => register(h.agent, name)));
      const order = Array.from({ length: 30 }, (_, i) => users[i % users.length] as Registered);
      const answers = await Promise.all(order.map((user) => me(h.agent, user.token)));
      answers.forEach((answer, i) => {
        expectProfile(answer, (order[i] as Registered).user);
      });
      expect(h.lookups.filter((r) => r === 'error')).toEqual([]);
      // Another user's profile under Frank's key is never served to Frank.
      const [frank, grace] = users as [Registered, Registered];
      const graceValue = (await redis.get(`${h.prefix}user:${grace.user.id}:profile`)) as string;
      await redis.set(`${h.prefix}user:${frank.user.id}:profile`, graceValue, 'EX', 3600);
      expectProfile(await me(h.agent, frank.token), frank.user);
      expect(h.lookups.at(-1)).toBe('miss');
      expectProfile(await me(h.agent, frank.token), frank.user);
      expect(h.lookups.at(-1)).toBe('hit');
    });

    it('Redis unreachable: answers from the database and counts errors', async () => {
      const h = await harness(db(), await closedRedisUrl());
      const ivan = await register(h.agent, 'Ivan');
      for (let i = 0; i < 3; i += 1) expectProfile(await me(h.agent, ivan.token), ivan.user);
      expect(h.lookups).toEqual(['error', 'error', 'error']);
      expect(h.userQueries()).toBe(3);
      await h.cache.invalidate(ivan.user.id); // never throws
    });

    it('Redis gone or silent mid-run: answers from the database within the command timeout', async () => {
      const relays: RedisRelay[] = [await startRedisRelay(), await startRedisRelay()];
      try {
        const [cut, frozen] = relays as [RedisRelay, RedisRelay];
        for (const [relay, failure] of [
          [cut, () => cut.cut()],
          [frozen, async () => frozen.freeze()],
        ] as const) {
          const h = await harness(db(), relay.url);
          const judy = await register(h.agent, 'Judy');
          await me(h.agent, judy.token);
          await me(h.agent, judy.token);
          expect(h.lookups).toEqual(['miss', 'hit']);
          await failure();
          const started = Date.now();
          expectProfile(await me(h.agent, judy.token), judy.user);
          expect(Date.now() - started).toBeLessThan(1000);
          expect(h.lookups.at(-1)).toBe('error');
        }
      } finally {
        await Promise.all(relays.map((relay) => relay.close()));
      }
    });

    it('an invalidation made while Redis was away is sent when it is back, before the key is read', async () => {
      const relay = await startRedisRelay();
      try {
        const h = await harness(db(), relay.url);
        const kim = await register(h.agent, 'Kim');
        await me(h.agent, kim.token);
        await me(h.agent, kim.token);
        expect(h.lookups).toEqual(['miss', 'hit']);
        await relay.cut();
        await db().query(renameUser, { id: kim.user.id, name: 'Kimberly' });
        await h.cache.invalidate(kim.user.id);
        expect((await me(h.agent, kim.token)).body.user.name).toBe('Kimberly');
        await relay.restore();
        const deadline = Date.now() + 5000;
        while (h.lookups.at(-1) === 'error' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          expect((await me(h.agent, kim.token)).body.user.name).toBe('Kimberly');
        }
        expect(h.lookups.at(-1)).toBe('miss');
        expect((await me(h.agent, kim.token)).body.user.name).toBe('Kimberly');
      } finally {
        await relay.close();
      }
    });
  });
});
