// The profile cache in the real agent process (`pulse agent`, OpenTelemetry preload): with REDIS_URL it serves
// pledgr_cache_lookups_total{cache="user_profile",result=hit|miss|error}, all three from 0 at start; when
// Redis goes away mid-run GET /api/me still answers 200 from the database and result="error" counts it.
// Without REDIS_URL the family is absent (the collector says "no cache").
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { type AgentProcess, postJson, samples, scrape, startAgentProcess } from '../support/agent-process.ts';
import { describeWithRedis, startRedisRelay, testRedisUrl } from '../support/redis.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pulse-profile-cache-'));
  dirs.push(dir);
  return dir;
}

const quiet = { RATE_LIMIT_API: 'off', RATE_LIMIT_AUTH: 'off' };
// The agent's keys are by user id only (pulse:user:<id>:profile), and each run's fresh database starts its ids
// at 1 again: this suite has a Redis database of its own, its profile keys cleared first.
const redisDb = 13;

async function clearProfileKeys(): Promise<void> {
  const redis = new Redis(`${testRedisUrl.replace(/\/\d*$/, '')}/${redisDb}`);
  try {
    const keys = await redis.keys('pulse:user:*:profile');
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
const family = 'pledgr_cache_lookups_total';

async function lookups(agent: AgentProcess): Promise<Record<string, number | undefined>> {
  const { families } = await scrape(agent);
  const of = (result: string) => samples(families, family, { cache: 'user_profile', result })[0]?.value;
  return { hit: of('hit'), miss: of('miss'), error: of('error') };
}

async function signUp(agent: AgentProcess): Promise<string> {
  const response = await postJson(`${agent.url}/api/auth/register`, {
    email: `cache-process-${Date.now()}@example.test`,
    password: 'correct horse battery',
    name: 'Process Tester',
  });
  expect(response.status).toBe(201);
  return (response.body as { token: string }).token;
}

const getMe = (agent: AgentProcess, token: string) =>
  fetch(`${agent.url}/api/me`, { headers: { authorization: `Bearer ${token}` } });

describeWithRedis('profile cache in the agent process', () => {
  it('counts hit, miss and error, and answers from the database when Redis goes away', async () => {
    await clearProfileKeys();
    const relay = await startRedisRelay();
    const agent = await startAgentProcess({
      ...quiet,
      PULSE_DATA_DIR: await dataDir(),
      REDIS_URL: `${relay.url}/${redisDb}`,
    });
    try {
      expect(await lookups(agent)).toEqual({ hit: 0, miss: 0, error: 0 });
      const token = await signUp(agent);
      expect((await getMe(agent, token)).status).toBe(200);
      expect((await getMe(agent, token)).status).toBe(200);
      expect(await lookups(agent)).toEqual({ hit: 1, miss: 1, error: 0 });

      await relay.cut();
      const response = await getMe(agent, token);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { user: { name: string } }).user.name).toBe('Process Tester');
      expect(await lookups(agent)).toEqual({ hit: 1, miss: 1, error: 1 });
      // No personal data in the cache metric's labels.
      const { text } = await scrape(agent);
      const cacheLines = text.split('\n').filter((line) => line.startsWith(family));
      expect(cacheLines.join('\n')).not.toMatch(/@example\.test|Process Tester|user:\d/);
    } finally {
      await agent.stop();
      await relay.close();
    }
  });

  it('serves no cache family without REDIS_URL', async () => {
    const agent = await startAgentProcess({ ...quiet, PULSE_DATA_DIR: await dataDir() });
    try {
      const token = await signUp(agent);
      expect((await getMe(agent, token)).status).toBe(200);
      const { families } = await scrape(agent);
      expect(families[family]).toBeUndefined();
    } finally {
      await agent.stop();
    }
  });
});
