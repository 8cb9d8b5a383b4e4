// The agent behind a load balancer: with TRUST_PROXY set, each client (X-Forwarded-For) has its own
// rate-limit window; without it, every request through the balancer shares the balancer's one. The default
// is off (an agent exposed directly must not let clients forge their address); compose sets TRUST_PROXY=1.
// And the setting's parsing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { startTestAgent, type TestAgent } from '../support/agent-app.ts';

describe('TRUST_PROXY', () => {
  it('is off by default and reads hops, true and address lists, naming the variable when wrong', () => {
    expect(loadAgentConfig({}).trustProxy).toBe(false);
    expect(loadAgentConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadAgentConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadAgentConfig({ TRUST_PROXY: 'loopback, uniquelocal' }).trustProxy).toBe(
      'loopback, uniquelocal',
    );
    expect(() => loadAgentConfig({ TRUST_PROXY: 'yes please!' })).toThrow(/TRUST_PROXY .*number of hops/);
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

  const statuses = async (agent: TestAgent, client: string, count: number) => {
    const result: number[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${agent.url}/api/artists`, { headers: { 'x-forwarded-for': client } });
      result.push(response.status);
    }
    return result;
  };

  it('gives each forwarded client its own window when the proxy is trusted', async () => {
    const agent = await startTestAgent(db, { rateLimitApi: { limit: 2, windowMs: 60_000 }, trustProxy: 1 });
    agents.push(agent);
    expect(await statuses(agent, '203.0.113.1', 3)).toEqual([200, 200, 429]);
    expect(await statuses(agent, '203.0.113.2', 2)).toEqual([200, 200]);
  });

  it('puts every client in the balancer’s one window when it is not', async () => {
    const agent = await startTestAgent(db, {
      rateLimitApi: { limit: 2, windowMs: 60_000 },
      trustProxy: false,
    });
    agents.push(agent);
    expect(await statuses(agent, '203.0.113.1', 2)).toEqual([200, 200]);
    expect(await statuses(agent, '203.0.113.2', 1)).toEqual([429]);
  });
});
