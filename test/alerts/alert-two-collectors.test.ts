// Two real collector processes (`pulse collector`) on one fresh PostgreSQL database, scraping one real agent
// and notifying one webhook receiver: exactly one holds the alert lease; a LegacyFollowStale firing (a stale
// legacy_follow row, `for` 0) is notified once; after the holder is SIGKILLed the other takes the lease over
// within the lease plus one evaluation interval, does not notify the firing alert again, and notifies the
// next transition — HealthSourceStale firing when the agent is killed — once. (A resolution would be the
// natural next transition, but every fast rule now keeps firing for minutes after its condition ends.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { addLegacyFollow } from '../scaling/scaling-support.ts';
import { type AgentProcess, startAgentProcess } from '../support/agent-process.ts';
import { testTokens } from '../support/collector.ts';
import { type CollectorProcess, startCollectorProcess } from '../support/collector-process.ts';
import { testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';
import { startReceiver, type TestReceiver } from './alert-support.ts';

const intervalMs = 1_000;
const leaseMs = 3_000;

const historyOf = defineQuery<{ name: string }, { state: string }>(
  'test.historyOfAlert',
  'SELECT state FROM alert_history WHERE alert_name = :name ORDER BY at, id',
);

interface AlertsBody {
  readonly leader: boolean;
  readonly active: readonly { alertname: string; state: string }[];
}

async function alertsOf(collector: CollectorProcess): Promise<AlertsBody> {
  const response = await fetch(`${collector.url}/api/alerts`, {
    headers: { authorization: `Bearer ${testTokens.operator}` },
  });
  return (await response.json()) as AlertsBody;
}

async function leaderGauge(collector: CollectorProcess): Promise<number> {
  const response = await fetch(`${collector.url}/metrics`, {
    headers: { authorization: `Bearer ${testTokens.founder}` },
  });
  const line = (await response.text()).split('\n').find((l) => l.startsWith('pledgr_alert_leader '));
  return Number(line?.split(' ')[1]);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgres('two collectors on one database', () => {
  let database: TempDatabase;
  let db: Db;
  let receiver: TestReceiver;
  let agent: AgentProcess;
  const collectors: CollectorProcess[] = [];

  /** The webhook notifications of a rule, by status. */
  const notified = (rule: string, status: 'firing' | 'resolved' = 'firing') =>
    receiver.requests.filter((request) => {
      const body = request.body as { alertname?: string; status?: string };
      return body.alertname === rule && body.status === status;
    }).length;

  beforeAll(async () => {
    database = await createTempDatabase();
    db = openPostgresDb({ url: database.url, pool: testPool });
    await migrate(db);
    receiver = await startReceiver();
    const databaseEnv = { DATABASE_TYPE: 'postgres', DATABASE_URL: database.url };
    agent = await startAgentProcess(databaseEnv);
    const env = (id: string) => ({
      ...databaseEnv,
      AGENT_METRICS_URLS: agent.metricsUrl,
      HEALTH_SCRAPE_INTERVAL: '1s',
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_EVALUATION_INTERVAL: `${intervalMs / 1000}s`,
      ALERT_LEASE_DURATION: `${leaseMs / 1000}s`,
      COLLECTOR_INSTANCE_ID: id,
    });
    collectors.push(
      ...(await Promise.all([
        startCollectorProcess(env('collector-a')),
        startCollectorProcess(env('collector-b')),
      ])),
    );
  }, 90_000);

  afterAll(async () => {
    await Promise.all(collectors.map((collector) => collector.stop('SIGKILL')));
    agent?.child.kill('SIGKILL');
    await receiver?.close();
    await db?.close();
    await database?.drop();
  });

  it('notifies each transition once, and the survivor takes over when the holder is killed', async () => {
    // Exactly one holder, the same answer from /api/alerts and the pledgr_alert_leader gauge.
    const roles = await waitFor('one collector to hold the lease', async () => {
      const bodies = await Promise.all(collectors.map(alertsOf));
      return bodies.filter((body) => body.leader).length === 1 ? bodies.map((b) => b.leader) : false;
    });
    const holder = collectors[roles.indexOf(true)] as CollectorProcess;
    const survivor = collectors[roles.indexOf(false)] as CollectorProcess;
    expect(await Promise.all([leaderGauge(holder), leaderGauge(survivor)])).toEqual([1, 0]);

    // A followed file not synced for an hour (interval 60 s): LegacyFollowStale fires at once.
    await addLegacyFollow(db, {
      source: '/data/pledgr.db',
      intervalSeconds: 60,
      lastSyncAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    await waitFor('the firing notification', async () => notified('LegacyFollowStale') >= 1);
    // The follower shows the holder's state from the database.
    await waitFor('the follower to show the alert firing', async () =>
      (await alertsOf(survivor)).active.some(
        (a) => a.alertname === 'LegacyFollowStale' && a.state === 'firing',
      ),
    );
    await sleep(3 * intervalMs);
    expect(notified('LegacyFollowStale')).toBe(1);

    // The holder dies without a word: the survivor takes over once the lease has expired.
    const killedAt = Date.now();
    await holder.stop('SIGKILL');
    await waitFor('the survivor to take the lease over', async () => (await alertsOf(survivor)).leader);
    const takeoverMs = Date.now() - killedAt;
    console.log(`alert lease taken over ${takeoverMs} ms after SIGKILL (lease ${leaseMs} ms)`);
    expect(takeoverMs).toBeLessThan(leaseMs + intervalMs + 2_000);
    expect(await leaderGauge(survivor)).toBe(1);
    expect(survivor.output()).toMatch(/collector-[ab]\) now evaluates and notifies alerts/);
    // It continued from the recorded state: the alert still firing is not notified again.
    await sleep(3 * intervalMs);
    expect(notified('LegacyFollowStale')).toBe(1);

    // The next transition: the agent dies, and after 3 missed 1 s scrapes HealthSourceStale fires — once,
    // from the survivor, within about one interval of becoming true.
    expect(receiver.requests).toHaveLength(1);
    expect(notified('HealthSourceStale')).toBe(0);
    const agentKilledAt = Date.now();
    agent.child.kill('SIGKILL');
    await waitFor('the HealthSourceStale notification', async () => notified('HealthSourceStale') >= 1);
    expect(Date.now() - agentKilledAt).toBeLessThan(4_000 + 2 * intervalMs + 1_000);
    await sleep(3 * intervalMs);
    expect([notified('LegacyFollowStale'), notified('HealthSourceStale')]).toEqual([1, 1]);
    const states = async (name: string) => (await db.query(historyOf, { name })).map((row) => row.state);
    expect(await states('LegacyFollowStale')).toEqual(['pending', 'firing']);
    expect(await states('HealthSourceStale')).toEqual(['pending', 'firing']);
    // Nothing else was notified: no alert paged twice, from either collector.
    expect(receiver.requests).toHaveLength(2);
  }, 60_000);
});
