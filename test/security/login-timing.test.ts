// Login must not tell by its timing whether an email is registered: an unknown email costs the same scrypt
// verification as a known one with a wrong password (before the fix: ~4 ms against ~37 ms, one request told
// them apart). Medians of interleaved samples, compared loosely so a noisy machine cannot fail it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { call, startTestAgent, type TestAgent } from '../support/agent-app.ts';

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

describe('login timing', () => {
  let db: Db;
  let agent: TestAgent;

  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: 'memory://' });
    await migrate(db);
    agent = await startTestAgent(db);
    const registered = await call(agent, 'POST', '/api/auth/register', {
      body: { email: 'known@example.org', password: 'the right password' },
    });
    expect(registered.status).toBe(201);
  });
  afterAll(async () => {
    await agent?.close();
    await db?.close();
  });

  const timeLogin = async (email: string) => {
    const started = performance.now();
    const response = await call(agent, 'POST', '/api/auth/login', {
      body: { email, password: 'a wrong password' },
    });
    expect(response.status).toBe(401);
    return performance.now() - started;
  };

  it('takes as long for an unknown email as for a known one with a wrong password', async () => {
    await timeLogin('warm-up@example.org');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      known.push(await timeLogin('known@example.org'));
      unknown.push(await timeLogin(`nobody-${i}@example.org`));
    }
    // The unknown median sits within the known samples' spread, and is at least half the known median.
    expect(median(unknown)).toBeGreaterThanOrEqual(Math.min(...known));
    expect(median(unknown)).toBeGreaterThan(median(known) / 2);
  });
});
