// Reads on a replica (DATABASE_READ_URL), end to end: a real collector over a throw-away primary and its
// streaming hot standby. Which server answered is proved by the data, not by the collector's word: with
// replay paused, a pledge and a user written on the primary are missing from an answer the replica gave and
// present in one the primary gave (KPIs, cohorts, the scaling checklist's user count). Within DATABASE_READ_MAX_LAG_MS the replica answers; beyond it the
// primary does (never a lagging replica served as fresh); after catching up the replica answers again; a
// replica that is down, not a standby, or not configurable (embedded database, malformed URL) never is.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../collector/config.ts';
import type { RunningCollector } from '../../collector/server.ts';
import type { DatabaseConfig } from '../../core/config/database-config.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { ReplicaRoutingDb } from '../../core/db/read-replica.ts';
import type { Db } from '../../core/db/types.ts';
import { ConfigError } from '../../core/errors.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { freePort } from '../support/agent-process.ts';
import { getJson, startTestCollector, testTokens } from '../support/collector.ts';
import { testPool } from '../support/databases.ts';
import { type ReplicaCluster, startReplicaCluster } from '../support/replica-cluster.ts';
import { describeWithReplicaCluster } from '../support/replica-cluster-suite.ts';

/** Small, so the test can outwait it; large enough that a request right after a write stays within it. */
const maxLagMs = 1_500;
const replicaPassword = 'replica-s3cret-never-printed';
const pledgeCents = 1_234;

function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

const kpiPath = `/api/kpis?from=${monthStart(0)}&to=${monthStart(1)}&interval=month`;
const cohortPath = `/api/kpis/cohorts?from=${monthStart(-2)}&to=${monthStart(1)}`;

interface Figures {
  readonly registrations: number;
  readonly mrrEndCents: number;
  readonly currentCohortSize: number;
  /** The scaling checklist's user count (GET /api/scaling). */
  readonly scalingUsers: number;
}

/**
 * The open month's registrations and MRR, its registration cohort's size and the scaling checklist's user
 * count, as the collector answers.
 */
async function figures(collector: RunningCollector): Promise<Figures> {
  const [kpis, cohorts, scaling] = await Promise.all([
    getJson(collector, kpiPath, 'founder'),
    getJson(collector, cohortPath, 'founder'),
    getJson(collector, '/api/scaling', 'operator'),
  ]);
  expect(kpis.status).toBe(200);
  expect(cohorts.status).toBe(200);
  expect(scaling.status).toBe(200);
  const report = kpis.body as { stale: boolean; periods: { registrations: number; mrrEndCents: number }[] };
  expect(report.stale).toBe(false);
  const [period] = report.periods;
  const current = (cohorts.body as { cohorts: { cohort: string; size: number }[] }).cohorts.find((cohort) =>
    cohort.cohort.startsWith(monthStart(0)),
  );
  return {
    registrations: period?.registrations ?? Number.NaN,
    mrrEndCents: period?.mrrEndCents ?? Number.NaN,
    currentCohortSize: current?.size ?? 0,
    scalingUsers: (scaling.body as { users: number }).users,
  };
}

function plusOneSignup(before: Figures): Figures {
  return {
    registrations: before.registrations + 1,
    mrrEndCents: before.mrrEndCents + pledgeCents,
    currentCohortSize: before.currentCohortSize + 1,
    scalingUsers: before.scalingUsers + 1,
  };
}

let signups = 0;

/** A new user with one pledge, now: one more registration, one more in this month's cohort, more MRR. */
async function signUpOnPrimary(cluster: ReplicaCluster): Promise<void> {
  signups += 1;
  await cluster.primaryQuery(
    `WITH u AS (INSERT INTO users (email, password_hash, name) VALUES ($1, 'x', 'Replica Test') RETURNING id)
     INSERT INTO pledges (user_id, artist_id, amount_cents)
     SELECT u.id, (SELECT min(id) FROM artists), $2 FROM u`,
    [`replica-test-${signups}@example.test`, pledgeCents],
  );
}

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = replicaPassword;
  return parsed.toString();
}

function databaseConfig(primaryUrl: string, dataDir: string, readUrl: string, lagMs = maxLagMs) {
  return {
    kind: 'postgres',
    url: primaryUrl,
    dataDir,
    pool: testPool,
    read: { url: readUrl, maxLagMs: lagMs },
  } satisfies DatabaseConfig;
}

async function startWith(database: DatabaseConfig, log: string[]): Promise<RunningCollector> {
  return startTestCollector(database, {}, {}, (line) => log.push(line));
}

function routing(collector: RunningCollector): ReplicaRoutingDb {
  expect(collector.readDb).toBeInstanceOf(ReplicaRoutingDb);
  return collector.readDb as ReplicaRoutingDb;
}

async function metricsText(collector: RunningCollector): Promise<string> {
  const response = await fetch(`${collector.url}/metrics`, {
    headers: { authorization: `Bearer ${testTokens.founder}` },
  });
  return response.text();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithReplicaCluster('reads on a replica (DATABASE_READ_URL)', () => {
  let cluster: ReplicaCluster;
  let primary: Db;
  let dataDir: string;
  let collector: RunningCollector;
  const log: string[] = [];
  /** What the collector answered before the first signup that the replica has not replayed. */
  let beforeSignup: Figures;

  beforeAll(async () => {
    cluster = await startReplicaCluster();
    dataDir = await mkdtemp(join(tmpdir(), 'pulse-replica-collector-'));
    primary = openPostgresDb({ url: cluster.primaryUrl, pool: testPool });
    await migrate(primary);
    await seedDemoData(primary, { users: 300, months: 3, seed: 11, until: new Date(), append: false });
    await cluster.waitForReplay();
    collector = await startWith(
      databaseConfig(cluster.primaryUrl, dataDir, withPassword(cluster.replicaUrl)),
      log,
    );
  });

  afterAll(async () => {
    await collector?.stop();
    await primary?.close();
    await cluster?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves /api/kpis, /api/kpis/cohorts and the scaling checklist from the replica: a write it has not replayed is not in them', async () => {
    await cluster.waitForReplay();
    beforeSignup = await figures(collector);
    expect(routing(collector).readsFrom()).toBe('replica');

    await cluster.pauseReplay();
    await signUpOnPrimary(cluster);
    // Well within DATABASE_READ_MAX_LAG_MS of the last check: the replica still answers, without the signup.
    expect(await figures(collector)).toEqual(beforeSignup);
    expect(routing(collector).status()).toMatchObject({ state: 'streaming', readsFrom: 'replica' });
  });

  it('answers from the primary, fresh, once the replica is further behind than DATABASE_READ_MAX_LAG_MS', async () => {
    const [primaryCounts] = await cluster.primaryQuery<{ users: string }>(
      'SELECT count(*) AS users FROM users',
    );
    const [replicaCounts] = await cluster.replicaQuery<{ users: string }>(
      'SELECT count(*) AS users FROM users',
    );
    expect(Number(primaryCounts?.users)).toBe(Number(replicaCounts?.users) + 1); // replay is still paused

    await sleep(maxLagMs + 300);
    const lagging = await figures(collector); // stale: false is checked in figures()
    expect(lagging).toEqual(plusOneSignup(beforeSignup));
    const status = routing(collector).status();
    expect(status).toMatchObject({ state: 'streaming', fresh: false, readsFrom: 'primary' });
    expect(status.lagSeconds).toBeGreaterThan(maxLagMs / 1000);

    const metrics = await metricsText(collector);
    expect(metrics).toMatch(/^pledgr_replica_fresh 0$/m);
    expect(metrics).toMatch(/^pledgr_replica_last_read\{target="primary"\} 1$/m);
    const lag = Number(/^pledgr_replica_lag_seconds ([\d.e+-]+)$/m.exec(metrics)?.[1]);
    expect(lag).toBeGreaterThan(maxLagMs / 1000);

    await cluster.resumeReplay();
    await cluster.waitForReplay();
    // The replica is looked at once per 250 ms at most: a check made while it was still behind can be that
    // recent. Past it, the first read waits for a new look, which finds it caught up.
    await sleep(300);
    const caughtUp = await figures(collector);
    expect(caughtUp).toEqual(lagging);
    expect(routing(collector).status()).toMatchObject({ fresh: true, readsFrom: 'replica' });
    expect(await metricsText(collector)).toMatch(/^pledgr_replica_fresh 1$/m);
  });

  it('goes back to the replica after it catches up: again a write it has not replayed is not served', async () => {
    const before = await figures(collector);
    expect(routing(collector).readsFrom()).toBe('replica');
    await cluster.pauseReplay();
    await signUpOnPrimary(cluster);
    try {
      expect(await figures(collector)).toEqual(before);
      await sleep(maxLagMs + 300);
      expect(await figures(collector)).toEqual(plusOneSignup(before));
    } finally {
      await cluster.resumeReplay();
      await cluster.waitForReplay();
      await sleep(300);
    }
  });

  it('counts the reads each server served and never prints the replica password', async () => {
    const metrics = await metricsText(collector);
    const served = (target: string) =>
      Number(
        new RegExp(`^pledgr_replica_reads_total\\{target="${target}"\\} (\\d+)$`, 'm').exec(metrics)?.[1],
      );
    expect(served('replica')).toBeGreaterThan(0);
    expect(served('primary')).toBeGreaterThan(0);
    expect(
      log.some((line) => /read replica postgres:\/\/127\.0\.0\.1:\d+\/postgres: a streaming/.test(line)),
    ).toBe(true);
    expect(collector.readDb.location).not.toContain(replicaPassword);
    expect(log.join('\n')).not.toContain(replicaPassword);
    expect(metrics).not.toContain(replicaPassword);
  });

  it('keeps reading from the primary when DATABASE_READ_URL is not a standby (the primary itself), and says so', async () => {
    const lines: string[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'pulse-replica-collector-'));
    const misconfigured = await startWith(databaseConfig(cluster.primaryUrl, dir, cluster.primaryUrl), lines);
    try {
      await signUpOnPrimary(cluster);
      const [counts] = await cluster.primaryQuery<{ users: string }>(
        'SELECT count(*) AS users FROM users WHERE created_at >= $1::timestamptz',
        [`${monthStart(0)}T00:00:00Z`],
      );
      expect((await figures(misconfigured)).registrations).toBe(Number(counts?.users));
      expect(routing(misconfigured).status()).toMatchObject({ state: 'not-standby', readsFrom: 'primary' });
      expect(
        lines.filter((line) => /not in recovery \(pg_is_in_recovery\(\) is false\)/.test(line)),
      ).toHaveLength(1);
    } finally {
      await misconfigured.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('answers from the primary when the replica cannot be reached, at start or later', async () => {
    const lines: string[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'pulse-replica-collector-'));
    const nowhere = `postgres://postgres:${replicaPassword}@127.0.0.1:${await freePort()}/postgres`;
    const unreachable = await startWith(databaseConfig(cluster.primaryUrl, dir, nowhere), lines);
    try {
      const answered = await figures(unreachable);
      expect(routing(unreachable).status()).toMatchObject({ state: 'unreachable', readsFrom: 'primary' });
      expect(lines.filter((line) => /: unreachable \(/.test(line))).toHaveLength(1);
      expect(lines.join('\n')).not.toContain(replicaPassword);

      // The main collector's replica goes away between two reads: the next ones are answered by the primary.
      await cluster.waitForReplay();
      await figures(collector);
      expect(routing(collector).readsFrom()).toBe('replica');
      await cluster.stopReplica();
      expect(await figures(collector)).toEqual(answered);
      expect(routing(collector).status()).toMatchObject({ state: 'unreachable', readsFrom: 'primary' });
    } finally {
      await unreachable.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('replica configuration', () => {
  const primaryUrl = 'postgres://pulse:primary-pw@db.internal:5432/pledgr';
  const readUrl = `postgres://pulse:${replicaPassword}@replica.internal:5432/pledgr`;

  function configError(env: Record<string, string>): string {
    try {
      loadCollectorConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a configuration error');
  }

  it('reads DATABASE_READ_URL and DATABASE_READ_MAX_LAG_MS, 5000 ms by default', () => {
    expect(
      loadCollectorConfig({ DATABASE_URL: primaryUrl, DATABASE_READ_URL: readUrl }).database,
    ).toMatchObject({
      kind: 'postgres',
      read: { url: readUrl, maxLagMs: 5_000 },
    });
    const tight = loadCollectorConfig({
      DATABASE_URL: primaryUrl,
      DATABASE_READ_URL: readUrl,
      DATABASE_READ_MAX_LAG_MS: '300',
    });
    expect(tight.database).toMatchObject({ read: { maxLagMs: 300 } });
    expect(loadCollectorConfig({ DATABASE_URL: primaryUrl }).database).not.toHaveProperty('read');
  });

  it('refuses DATABASE_READ_URL with the embedded database, in one line, without the URL', () => {
    const envs: Record<string, string>[] = [
      { DATABASE_READ_URL: readUrl },
      { DATABASE_TYPE: 'embedded', DATABASE_URL: primaryUrl, DATABASE_READ_URL: readUrl },
    ];
    for (const env of envs) {
      const message = configError(env);
      expect(message).toMatch(
        /^ {2}DATABASE_READ_URL \(given\): needs PostgreSQL: .*set DATABASE_URL to the primary/m,
      );
      expect(message.split('\n')).toHaveLength(2); // "Invalid configuration:" and the one line
      expect(message).not.toContain(replicaPassword);
    }
  });

  it('refuses a malformed DATABASE_READ_URL without echoing it', () => {
    for (const bad of [
      'mysql://pulse:replica-s3cret-never-printed@replica/pledgr',
      'postgres://pulse:replica-s3cret-never-printed@replica:99999/pledgr',
      'replica.internal:5432',
    ]) {
      const message = configError({ DATABASE_URL: primaryUrl, DATABASE_READ_URL: bad });
      expect(message).toMatch(
        /DATABASE_READ_URL \(given\): must be a postgres:\/\/ or postgresql:\/\/ connection URL/,
      );
      expect(message).not.toContain(replicaPassword);
    }
  });

  it('bounds DATABASE_READ_MAX_LAG_MS to 100..600000', () => {
    const env = { DATABASE_URL: primaryUrl, DATABASE_READ_URL: readUrl };
    expect(configError({ ...env, DATABASE_READ_MAX_LAG_MS: '50' })).toMatch(
      /DATABASE_READ_MAX_LAG_MS \("50"\): must be from 100 to 600000/,
    );
    expect(configError({ ...env, DATABASE_READ_MAX_LAG_MS: '5s' })).toMatch(
      /DATABASE_READ_MAX_LAG_MS \("5s"\): must be a whole number/,
    );
  });
});
