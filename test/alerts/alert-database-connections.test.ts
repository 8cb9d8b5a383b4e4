// The database server's own connection limit against a real PostgreSQL started with max_connections 12 and
// 2 slots reserved for superusers, so ordinary roles may open 10: the figure the collector reads is what
// pg_stat_activity says (client backends of every database and role ÷ 10), /metrics exports it, a role
// without pg_read_all_stats still gets an upper bound; and end to end, pg clients opened beside the
// collector's pool push the server to 9 of 10 → DatabaseConnectionsNearLimit pending, firing after its
// 300 s (on the controllable clock), DatabaseConnectionsExhausted at 10 of 10; closing them back to 7 keeps
// the warning firing (hysteresis: it resolves below 70 %), to 6 resolves it. A running collector serves the
// figures on /metrics. On PGlite there is no reading.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertService } from '../../collector/alerts/alert-service.ts';
import { readDatabaseConnections } from '../../collector/alerts/database-connections.ts';
import { createAlertInputGatherer } from '../../collector/alerts/gather-inputs.ts';
import { registerDatabaseConnectionGauges } from '../../collector/metrics/database-connection-gauges.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import type { Db } from '../../core/db/types.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { startTestCollector, testTokens } from '../support/collector.ts';
import { type PrivatePostgres, startPrivatePostgres } from '../support/private-postgres.ts';
import { describeWithPrivatePostgres } from '../support/private-postgres-suite.ts';
import { manualClock } from './alert-support.ts';

const limit = 10; // max_connections 12 − superuser_reserved_connections 2
// The collector's pool keeps its connections (no idle timeout): the count moves only when the test says.
const steadyPool = { max: 3, idleTimeoutMillis: 0, connectionTimeoutMillis: 5_000 };
const clientBackends = `SELECT CAST(count(*) AS integer) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`;

let server: PrivatePostgres;
let db: Db;
let admin: pg.Client;
const extras: pg.Client[] = [];

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Client backends on the whole server now, as pg_stat_activity lists them (the admin client included). */
async function countClientBackends(): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(clientBackends);
  return rows[0]?.n ?? 0;
}

/**
 * Opens or closes extra clients until the server has `target` client backends. A closed client's backend
 * leaves pg_stat_activity a moment after the socket closes: wait for it.
 */
async function setClientBackends(target: number): Promise<void> {
  let now = await countClientBackends();
  while (now < target) {
    extras.push(await connect(server.url));
    now += 1;
  }
  while (now > target) {
    const extra = extras.pop();
    if (!extra) throw new Error(`more than ${target} client backends without the test's extra clients`);
    await extra.end();
    now -= 1;
  }
  const deadline = Date.now() + 10_000;
  while ((await countClientBackends()) !== target) {
    if (Date.now() > deadline) throw new Error(`the server did not reach ${target} client backends`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithPrivatePostgres('the database connection limit on a PostgreSQL with max_connections 12', () => {
  beforeAll(async () => {
    server = await startPrivatePostgres({ max_connections: 12, superuser_reserved_connections: 2 });
    admin = await connect(server.url);
    db = openPostgresDb({ url: server.url, pool: steadyPool, applicationName: 'pulse-collector-test' });
    await migrate(db);
  }, 60_000);

  afterAll(async () => {
    for (const client of extras.splice(0)) await client.end().catch(() => undefined);
    await admin?.end().catch(() => undefined);
    await db?.close();
    await server?.destroy();
  });

  it('reads the client backends of every database and role against max_connections less the reserved slots', async () => {
    await setClientBackends(5);
    // Another database's session counts too: the limit is the server's, not the database's.
    await admin.query('CREATE DATABASE other');
    const elsewhere = await connect(server.url.replace(/\/postgres$/, '/other'));
    try {
      const connections = await readDatabaseConnections(db);
      const expected = await countClientBackends();
      expect(expected).toBeGreaterThanOrEqual(6);
      expect(connections).toEqual({
        used: expected,
        hidden: 0,
        maxConnections: 12,
        reserved: 2,
        limit,
      });

      const registry = new Registry();
      registerDatabaseConnectionGauges(registry, db);
      const text = await registry.metrics();
      expect(text).toContain(`\npledgr_database_connections ${expected}\n`);
      expect(text).toContain('\npledgr_database_max_connections 12\n');
      expect(text).toContain('\npledgr_database_reserved_connections 2\n');
    } finally {
      await elsewhere.end();
      await admin.query('DROP DATABASE other WITH (FORCE)');
    }
  });

  it("counts, for a role that may not see other roles' backend types, every backend of a role: never fewer", async () => {
    await admin.query('CREATE ROLE app LOGIN');
    const appDb = openPostgresDb({ url: server.url.replace('postgres@', 'app@'), pool: steadyPool });
    try {
      const connections = await readDatabaseConnections(appDb);
      const exact = await countClientBackends();
      // What the role cannot tell apart: background workers that run as a role (the logical replication
      // launcher runs as postgres), besides the other roles' client backends.
      const { rows } = await admin.query<{ n: number }>(
        `SELECT CAST(count(*) AS integer) AS n FROM pg_stat_activity
          WHERE usesysid IS NOT NULL AND backend_type <> 'client backend' AND usename <> 'app'`,
      );
      expect(connections?.hidden).toBeGreaterThan(0);
      expect(connections?.used).toBe(exact + (rows[0]?.n ?? 0));
      expect(connections?.limit).toBe(limit);
    } finally {
      await appDb.close();
      await admin.query('DROP ROLE app');
    }
  });

  it('fires DatabaseConnectionsNearLimit at 9 of 10 after 300 s, keeps it at 7 and resolves it at 6', async () => {
    // The admin client and the collector's pool alone.
    for (const client of extras.splice(0)) await client.end();
    const clock = manualClock(Date.now());
    const engine = new KpiEngine(db, { currency: 'USD' });
    const inputs = createAlertInputGatherer({ db, engine, health: null, clock, log: () => undefined });
    const service = createAlertService({ db, inputs, clock, log: () => undefined });
    const state = (name: string) => service.states().find((status) => status.alertname === name);
    const near = () => state('DatabaseConnectionsNearLimit');
    const exhausted = () => state('DatabaseConnectionsExhausted');
    /** One evaluation; the value must be what pg_stat_activity says right after it, ÷ 10. */
    const evaluate = async () => {
      const transitions = await service.evaluateOnce();
      expect(near()?.value).toBe((await countClientBackends()) / limit);
      return transitions.map((t) => `${t.alertname}:${t.to}`);
    };
    try {
      // Warm-up: the KPI and history reads open the pool's connections; they stay open.
      await evaluate();
      clock.advanceSeconds(60);
      await evaluate();
      expect(near()).toMatchObject({ state: 'inactive' });

      await setClientBackends(9);
      expect(await evaluate()).toEqual(['DatabaseConnectionsNearLimit:pending']);
      expect(near()).toMatchObject({ state: 'pending', value: 0.9, threshold: 0.8, resolveThreshold: 0.7 });
      expect(exhausted()).toMatchObject({ state: 'inactive', value: 0.9 });

      clock.advanceSeconds(299);
      expect(await evaluate()).toEqual([]);
      clock.advanceSeconds(1);
      expect(await evaluate()).toEqual(['DatabaseConnectionsNearLimit:firing']);
      expect(near()?.summary).toBe(
        "90 % of the database server's connections in use, all clients together (threshold 80 %)",
      );
      expect(near()?.action[0]).toContain('"max: 20, // Max connections" is per process');

      // 10 of 10: ordinary roles are refused now (the test's superuser takes a reserved slot).
      await setClientBackends(10);
      expect(await evaluate()).toEqual(['DatabaseConnectionsExhausted:pending']);
      clock.advanceSeconds(120);
      expect(await evaluate()).toEqual(['DatabaseConnectionsExhausted:firing']);

      // 7 of 10 is past both resolve lines of the critical (85 %) but not of the warning (70 %).
      await setClientBackends(7);
      clock.advanceSeconds(15);
      expect(await evaluate()).toEqual(['DatabaseConnectionsExhausted:resolved']);
      expect(near()).toMatchObject({ state: 'firing', value: 0.7 });

      await setClientBackends(6);
      clock.advanceSeconds(15);
      expect(await evaluate()).toEqual(['DatabaseConnectionsNearLimit:resolved']);
      expect((await service.history(10)).map((row) => [row.alertname, row.state, row.value])).toEqual([
        ['DatabaseConnectionsNearLimit', 'resolved', 0.6],
        ['DatabaseConnectionsExhausted', 'resolved', 0.7],
        ['DatabaseConnectionsExhausted', 'firing', 1],
        ['DatabaseConnectionsExhausted', 'pending', 1],
        ['DatabaseConnectionsNearLimit', 'firing', 0.9],
        ['DatabaseConnectionsNearLimit', 'pending', 0.9],
      ]);
    } finally {
      await service.stop();
    }
  }, 60_000);
});

describeWithPrivatePostgres('the collector on a PostgreSQL with max_connections 12', () => {
  let cluster: PrivatePostgres;
  let dataDir: string;
  beforeAll(async () => {
    cluster = await startPrivatePostgres({ max_connections: 12, superuser_reserved_connections: 2 });
    dataDir = await mkdtemp(join(tmpdir(), 'pulse-connections-'));
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exports the server’s connections, max_connections and reserved slots on /metrics', async () => {
    const collector = await startTestCollector({
      kind: 'postgres',
      url: cluster.url,
      dataDir,
      pool: steadyPool,
    });
    try {
      const response = await fetch(`${collector.url}/metrics`, {
        headers: { authorization: `Bearer ${testTokens.founder}` },
      });
      const text = await response.text();
      const used = Number(/\npledgr_database_connections (\d+)\n/.exec(text)?.[1]);
      // At least the collector's own connection; at most its pool (3) and nothing else is connected.
      expect(used).toBeGreaterThanOrEqual(1);
      expect(used).toBeLessThanOrEqual(steadyPool.max);
      expect(text).toContain('\npledgr_database_max_connections 12\n');
      expect(text).toContain('\npledgr_database_reserved_connections 2\n');
    } finally {
      await collector.stop();
    }
  }, 60_000);
});

describe('the database connection limit on the embedded database', () => {
  it('is not read: PGlite has no server and no limit, so the input is missing', async () => {
    const embedded = await openPgliteDb({ dataDir: 'memory://' });
    try {
      expect(await readDatabaseConnections(embedded)).toBeNull();
      const engine = new KpiEngine(embedded, { currency: 'USD' });
      const snapshot = await createAlertInputGatherer({
        db: embedded,
        engine,
        health: null,
        clock: manualClock(),
        log: () => undefined,
      }).gather();
      expect(snapshot.databaseConnections).toBeNull();
    } finally {
      await embedded.close();
    }
  });
});
