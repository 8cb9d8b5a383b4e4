// The alert inputs read from a real embedded database (PGlite, memory://): the user count, the last
// complete month's logo churn and the monthly conversion series via the KPI engine, worked out by hand;
// and end to end, an embedded database past 100 users fires EmbeddedDatabaseTooManyUsers after its
// `for` (300 s on the controllable clock) and the webhook receiver gets it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertService } from '../../collector/alerts/alert-service.ts';
import { createAlertInputGatherer } from '../../collector/alerts/gather-inputs.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { fastRetry, healthPoint, manualClock, startReceiver } from './alert-support.ts';

let db: Db;

beforeAll(async () => {
  db = await openPgliteDb({ dataDir: 'memory://' });
  await migrate(db);
});

afterAll(async () => {
  await db.close();
});

/** Inserts `count` users registered at `at` (plain rows: no personal data beyond a synthetic address). */
async function addUsers(count: number, at: string, tag: string): Promise<void> {
  await db.runScript(
    `test.addUsers${tag}`,
    `INSERT INTO users (email, password_hash, created_at)
     SELECT 'user-${tag}-' || g || '@example.test', 'x', '${at}' FROM generate_series(1, ${count}) AS g`,
  );
}

describe('alert inputs from the database', () => {
  it('read the user count, last month’s logo churn and the closed months of conversion', async () => {
    // 4 users registered 2026-04-10, each pledging to one artist on 2026-04-12; user 1 cancels 2026-05-20.
    // May 2026 (the last complete month on 2026-06-15): pledgers at start 4, churned 1 → logo churn 1/4.
    // Conversion of April: cohort 4, all 4 pledged within 30 days → 4/4; April is mature on 2026-06-15
    // (ends 05-01, + 30 days = 05-31 ≤ 06-15), May is not (06-01 + 30 days = 07-01).
    await addUsers(4, '2026-04-10T00:00:00Z', 'kpi');
    await db.runScript(
      'test.addPledges',
      `INSERT INTO artists (name, created_at) VALUES ('Artist', '2026-01-01T00:00:00Z');
       INSERT INTO pledges (user_id, artist_id, amount_cents, created_at, cancelled_at)
       SELECT u.id, 1, 500, '2026-04-12T00:00:00Z',
              CASE WHEN u.id = 1 THEN '2026-05-20T00:00:00Z'::timestamptz END
       FROM users u;`,
    );
    const clock = manualClock(Date.parse('2026-06-15T00:00:00Z'));
    const engine = new KpiEngine(db, { currency: 'USD' });
    const health = {
      latest: async () => ({
        total: healthPoint(),
        instances: [
          {
            instance: 'a',
            version: null,
            color: null,
            canary: false,
            target: 't',
            up: true,
            lastSeen: 1,
            points: [healthPoint({ rssBytes: 1 }), healthPoint({ rssBytes: 2 })],
          },
          {
            instance: 'b',
            version: null,
            color: null,
            canary: false,
            target: 't',
            up: false,
            lastSeen: 1,
            points: [healthPoint({ rssBytes: 3 })],
          },
        ],
        lastSuccessAt: clock.now() - 5_000,
      }),
    };
    const snapshot = await createAlertInputGatherer({
      db,
      engine,
      health,
      clock,
      log: () => undefined,
    }).gather();
    expect(snapshot.users).toBe(4);
    expect(snapshot.databaseKind).toBe('embedded');
    expect(snapshot.lastMonthChurn).toEqual({
      periodStart: '2026-05-01T00:00:00.000Z',
      pledgersAtStart: 4,
      churnedPledgers: 1,
      logoChurnRate: 0.25,
    });
    // Seven closed months, November 2025 to May 2026; only April and May have a cohort.
    expect(snapshot.conversion?.map((p) => p.periodStart.slice(0, 7))).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
    ]);
    expect(snapshot.conversion?.slice(-2)).toEqual([
      { periodStart: '2026-04-01T00:00:00.000Z', cohort: 4, converted: 4, mature: true },
      { periodStart: '2026-05-01T00:00:00.000Z', cohort: 0, converted: 0, mature: false },
    ]);
    expect(snapshot.kpiFreshness).toEqual({ lastSuccessAt: clock.now(), since: clock.now() });
    // Only instances that are up count, each by its newest point (rss 2, not 1 or the vanished one's 3).
    expect(snapshot.health?.instances.map((point) => point.rssBytes)).toEqual([2]);
    expect(snapshot.healthFreshness).toEqual({ lastSuccessAt: clock.now() - 5_000, since: clock.now() });
    await db.runScript('test.clear', 'DELETE FROM pledges; DELETE FROM artists; DELETE FROM users;');
  });
});

describe('an embedded database past 100 users', () => {
  it('fires EmbeddedDatabaseTooManyUsers after 300 s and the webhook receiver gets it', async () => {
    const receiver = await startReceiver();
    const clock = manualClock(Date.now());
    const engine = new KpiEngine(db, { currency: 'USD' });
    const inputs = createAlertInputGatherer({ db, engine, health: null, clock, log: () => undefined });
    const service = createAlertService({
      db,
      inputs,
      clock,
      log: () => undefined,
      notifications: { webhookUrl: receiver.url, retry: fastRetry },
    });
    const embeddedAlert = () => service.states().find((s) => s.alertname === 'EmbeddedDatabaseTooManyUsers');
    try {
      await addUsers(100, new Date(clock.now() - 86_400_000).toISOString(), 'first');
      await service.evaluateOnce();
      expect(embeddedAlert()).toMatchObject({ state: 'inactive', value: 100 }); // 100 is the limit, not past it

      await addUsers(1, new Date(clock.now() - 86_400_000).toISOString(), 'more');
      clock.advanceSeconds(60); // the database inputs are re-read once a minute
      await service.evaluateOnce();
      expect(embeddedAlert()).toMatchObject({ state: 'pending', value: 101 });

      clock.advanceSeconds(300);
      const transitions = await service.evaluateOnce();
      expect(transitions.map((t) => `${t.alertname}:${t.to}`)).toEqual([
        'EmbeddedDatabaseTooManyUsers:firing',
      ]);
      await service.notificationsSettled();
      expect(receiver.requests).toHaveLength(1);
      expect(receiver.requests[0]?.body).toMatchObject({
        status: 'firing',
        alertname: 'EmbeddedDatabaseTooManyUsers',
        severity: 'warning',
        value: 101,
        threshold: 100,
        summary: '101 users on the embedded database (limit 100): migrate to PostgreSQL',
      });
      // What to do is the scaling guide's Database Migration Strategy, with the import that works.
      const body = receiver.requests[0]?.body as { action: string[] } | undefined;
      const action = (body?.action ?? []).join('\n');
      expect(action).toContain('Step 1: Set up PostgreSQL — 1. Create Supabase account (free)');
      expect(action).toContain('npx pulse import-sqlite pledgr.db');
      expect((await service.history(10)).map((row) => [row.alertname, row.state, row.value])).toEqual([
        ['EmbeddedDatabaseTooManyUsers', 'firing', 101],
        ['EmbeddedDatabaseTooManyUsers', 'pending', 101],
      ]);
    } finally {
      await service.stop();
      await receiver.close();
    }
  });
});
