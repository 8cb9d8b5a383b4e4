// What the profile cache buys (`npm run bench -- cache`): the pledge API (with its drop-in agent, as deployed)
// on a temporary PostgreSQL database, GET /api/me signed in as one of 200 users picked at random per request
// (bench/wrk-bearer.lua), without REDIS_URL (session and profile from the database) and with it (session from
// the database, profile from Redis), side by side in one run with the method of the agent benchmark
// (bench/agent.bench.ts): a fresh server per round, rounds in alternating order, wrk -t1 -c16, server and wrk
// on their own CPUs where there are two; requests/s and p99 from wrk, server CPU per request from
// /proc/<pid>/stat. Redis is used through its database 15, whose profile keys are cleared first.
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createSession } from '../agent/stores/session-store.ts';
import { agentCommand } from '../cli/actions/agent.ts';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import { defineQuery } from '../core/db/query.ts';
import { migrate } from '../core/migrate.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import { type AppUnderTest, benchLoad, findExecutable, measureApp } from './agent.bench.ts';
import { type Benchmark, SkipBenchmark } from './harness.ts';

const scale = { users: 2_000, artists: 200, pledges: 10_000, signedIn: 200 };
const redisUrl = `${(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379').replace(/\/\d*$/, '')}/15`;
const wrkScript = fileURLToPath(new URL('./wrk-bearer.lua', import.meta.url));

const insertUsers = defineQuery<{ users: number }, never>(
  'bench.insertUsers',
  `INSERT INTO users (email, password_hash, name)
   SELECT 'fan' || g || '@bench.pledgr.test', 'not-a-hash', 'Fan ' || g FROM generate_series(1, :users) g`,
);
const insertArtists = defineQuery<{ artists: number }, never>(
  'bench.insertArtists',
  `INSERT INTO artists (name) SELECT 'Artist ' || g FROM generate_series(1, :artists) g`,
);
const insertPledges = defineQuery<{ pledges: number }, never>(
  'bench.insertPledges',
  `INSERT INTO pledges (user_id, artist_id, amount_cents, created_at)
   SELECT 1 + g % 2000, 1 + (g * 7) % 200, 500, now() - interval '30 days'
     FROM generate_series(1, :pledges) g`,
);
const someUsers = defineQuery<{ count: number }, { id: number }>(
  'bench.someUsers',
  'SELECT id FROM users ORDER BY id LIMIT :count',
);

async function redisUnavailable(): Promise<string | null> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    // Profile keys left by an earlier run (their ids are this run's too) would make the first round all hits.
    const stale = await redis.keys('pulse:user:*:profile');
    if (stale.length > 0) await redis.del(...stale);
    return null;
  } catch (error) {
    return `Redis not reachable at ${redisUrl}: ${(error as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

function pledgeApiMe(databaseUrl: string, tokens: readonly string[]): AppUnderTest {
  return {
    title:
      `pledge API, GET /api/me signed in as one of ${scale.signedIn} users on PostgreSQL ` +
      `(${scale.users.toLocaleString('en-US')} users, ${scale.pledges.toLocaleString('en-US')} pledges)`,
    key: 'profile-cache',
    cwd: process.cwd(),
    env: { DATABASE_URL: databaseUrl, RATE_LIMIT_API: 'off', RATE_LIMIT_AUTH: 'off' },
    readyPath: '/readyz',
    pathPrefix: '/api/me',
    ids: [],
    wrk: { script: wrkScript, args: ['/api/me', tokens.join(',')] },
    variants: [
      { label: 'no cache (database)', key: 'no-cache', args: agentCommand(), env: {} },
      {
        label: 'Redis profile cache',
        key: 'redis',
        args: agentCommand(),
        env: { REDIS_URL: redisUrl },
        expectMetric: /pledgr_cache_lookups_total\{[^}]*result="hit"[^}]*\} [1-9]/,
      },
    ],
  };
}

export const cacheBenchmark: Benchmark = {
  name: 'cache',
  async run() {
    const wrk = findExecutable('wrk');
    if (!wrk) throw new SkipBenchmark('wrk is not installed (apt-get install wrk)');
    const noPostgres = await probePostgres();
    if (noPostgres) throw new SkipBenchmark(noPostgres);
    const noRedis = await redisUnavailable();
    if (noRedis) throw new SkipBenchmark(noRedis);
    const temp = await createTempDatabase('pulse_bench_cache');
    try {
      const db = openPostgresDb({
        url: temp.url,
        pool: { max: 2, idleTimeoutMillis: 1_000, connectionTimeoutMillis: 10_000 },
      });
      const tokens: string[] = [];
      try {
        await migrate(db);
        await db.query(insertUsers, { users: scale.users });
        await db.query(insertArtists, { artists: scale.artists });
        await db.query(insertPledges, { pledges: scale.pledges });
        for (const { id } of await db.query(someUsers, { count: scale.signedIn })) {
          tokens.push(await createSession(db, Number(id), 24));
        }
      } finally {
        await db.close();
      }
      const table = await measureApp(pledgeApiMe(temp.url, tokens), wrk);
      return (
        `cache: wrk -t${benchLoad.threads} -c${benchLoad.connections}, ${benchLoad.seconds} s per round after a ` +
        `${benchLoad.warmupSeconds} s warm-up, ${benchLoad.rounds} rounds in alternating order; ` +
        `${benchLoad.pinned ? 'server pinned to CPU 0, wrk to CPU 1' : 'unpinned'}; figures are the rounds' medians\n` +
        table
      );
    } finally {
      await temp.drop();
    }
  },
};
