// The agent behind a load balancer: TRUST_PROXY names the balancer's addresses, and only a peer at one of them
// may set X-Forwarded-For (each client then gets its own rate-limit window) or X-Forwarded-Proto. A client
// that reaches the agent directly cannot forge its address to dodge the login limit, and no forwarded header
// can mint metric series. A hop count or `true` is refused: both trust whoever connects. And the parsing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { startTestAgent, type TestAgent } from '../support/agent-app.ts';
import { type AgentProcess, scrape, startAgentProcess } from '../support/agent-process.ts';

describe('TRUST_PROXY', () => {
  it('is off by default and reads the balancer’s addresses, subnets and named ranges', () => {
    expect(loadAgentConfig({}).trustProxy).toBe(false);
    expect(loadAgentConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadAgentConfig({ TRUST_PROXY: '172.30.0.10' }).trustProxy).toEqual(['172.30.0.10']);
    expect(loadAgentConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
    ]);
  });

  it('refuses a hop count, true and malformed addresses, naming the variable and why', () => {
    for (const value of ['1', '2', 'true', 'yes please!', '10.0.0.0/33', '300.1.1.1', 'example.com']) {
      expect(() => loadAgentConfig({ TRUST_PROXY: value }), value).toThrow(
        /TRUST_PROXY .*hop count or true would let any direct client forge its address/,
      );
    }
  });
});

describe('rate limits behind a load balancer', () => {
  let db: Db;
  const agents: TestAgent[] = [];

  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: 'memory://' });
    await migrate(db);
  });
  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.close()));
    await db?.close();
  });

  const statuses = async (agent: TestAgent, path: string, clients: readonly string[]) => {
    const result: number[] = [];
    for (const client of clients) {
      const init: RequestInit =
        path === '/api/auth/login'
          ? {
              method: 'POST',
              headers: { 'x-forwarded-for': client, 'content-type': 'application/json' },
              body: JSON.stringify({ email: 'someone@example.org', password: 'wrong password' }),
            }
          : { headers: { 'x-forwarded-for': client } };
      result.push((await fetch(`${agent.url}${path}`, init)).status);
    }
    return result;
  };

  it('gives each forwarded client its own window when the request comes from the balancer', async () => {
    // The test connects from 127.0.0.1: here it plays the balancer.
    const agent = await startTestAgent(db, {
      rateLimitApi: { limit: 2, windowMs: 60_000 },
      trustProxy: ['loopback'],
    });
    agents.push(agent);
    expect(await statuses(agent, '/api/artists', ['203.0.113.1', '203.0.113.1', '203.0.113.1'])).toEqual([
      200, 200, 429,
    ]);
    expect(await statuses(agent, '/api/artists', ['203.0.113.2', '203.0.113.2'])).toEqual([200, 200]);
  });

  it('ignores X-Forwarded-For from a client that is not the balancer: a fresh one per login still meets 429', async () => {
    // The balancer is 10.0.0.5; the test connects directly from 127.0.0.1, as an attacker would.
    const agent = await startTestAgent(db, {
      rateLimitAuth: { limit: 5, windowMs: 60_000 },
      trustProxy: ['10.0.0.5'],
    });
    agents.push(agent);
    const forged = Array.from({ length: 8 }, (_, i) => `198.51.100.${i + 1}`);
    expect(await statuses(agent, '/api/auth/login', forged)).toEqual([
      401, 401, 401, 401, 401, 429, 429, 429,
    ]);
  });

  it('puts every client in the balancer’s one window when nothing is trusted', async () => {
    const agent = await startTestAgent(db, {
      rateLimitApi: { limit: 2, windowMs: 60_000 },
      trustProxy: false,
    });
    agents.push(agent);
    expect(await statuses(agent, '/api/artists', ['203.0.113.1', '203.0.113.1'])).toEqual([200, 200]);
    expect(await statuses(agent, '/api/artists', ['203.0.113.2'])).toEqual([429]);
  });
});

describe('forwarded headers and metric series', () => {
  let agent: AgentProcess;
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pulse-proxy-'));
    agent = await startAgentProcess({ PULSE_DATA_DIR: dir, RATE_LIMIT_API: 'off', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await agent?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps url.scheme to http and https however many X-Forwarded-Proto values a trusted peer sends', async () => {
    const seriesFor = (text: string) =>
      text
        .split('\n')
        .filter(
          (line) =>
            line.startsWith('http_server_request_duration_count') &&
            line.includes('http_route="/api/artists"'),
        );
    await fetch(`${agent.url}/api/artists`);
    await fetch(`${agent.url}/api/artists`, { headers: { 'x-forwarded-proto': 'https' } });
    const before = seriesFor((await scrape(agent)).text);
    expect(before).toHaveLength(2);
    for (let i = 0; i < 200; i++) {
      await fetch(`${agent.url}/api/artists`, { headers: { 'x-forwarded-proto': `forged-${i}` } });
    }
    const after = seriesFor((await scrape(agent)).text);
    expect(after).toHaveLength(2);
    expect(after.join('\n')).not.toContain('forged');
  });
});
