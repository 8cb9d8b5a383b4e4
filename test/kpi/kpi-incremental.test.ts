// Incremental refresh: a repeated request with no write in between is served from the cache alone; a write
// in the open period recomputes just that period — reading only its rows — while a backfilled, imported,
// updated or deleted row in a closed period invalidates that period and every later one, so the cached
// answer always equals a cold computation — also when only a cancel's provenance changes (migration 0007 logs
// it), since the periods count the churn movements that rest on estimated instants.
import { expect, it } from 'vitest';
import { queriesDuring } from '../../core/db/queries-during.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db, Queryable, QueryEvent } from '../../core/db/types.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { OpenPeriodState } from '../../core/kpi/open-period.ts';
import type { KpiRequest } from '../../core/kpi/types.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { describeEachDatabase } from '../support/databases.ts';

const now = new Date('2026-10-20T12:00:00Z');
const monthly: KpiRequest = { from: '2025-11-01', to: '2026-11-01', interval: 'month', asOf: now };
const daily: KpiRequest = { from: '2026-09-01', to: '2026-10-21', interval: 'day', asOf: now };

const insertPledge = defineQuery<
  { userId: number; createdAt: Date; cancelledAt: Date | null },
  { id: number }
>(
  'test.backfillPledge',
  `INSERT INTO pledges (user_id, artist_id, amount_cents, created_at, cancelled_at)
   VALUES (:userId, 1, 2500, :createdAt, :cancelledAt) RETURNING id`,
);
const oldestUser = defineQuery<Record<string, never>, { id: number }>(
  'test.oldestUser',
  'SELECT id FROM users ORDER BY created_at LIMIT 1',
);

const october = { start: new Date('2026-10-01T00:00:00Z'), end: new Date('2026-11-01T00:00:00Z') };

/** Rows the open period's build fetched (its cursor, kpi.fetchMovingUsers) among `events`. */
const rowsBuiltFrom = (events: readonly QueryEvent[]) =>
  events
    .filter((event) => event.queryName === 'kpi.fetchMovingUsers')
    .reduce((rows, event) => rows + event.rowCount, 0);

async function coldReport(db: Db, request: KpiRequest) {
  return new KpiEngine(db, { currency: 'USD', cache: false, now: () => now }).report(request);
}

describeEachDatabase('KPI incremental refresh', ({ db }) => {
  let engine: KpiEngine;

  it('caches the periods of a first request', async () => {
    await migrate(db());
    await seedDemoData(db(), { users: 2500, months: 14, seed: 5, until: now, append: false });
    // One movements query per range (slices: kpi-sliced-movements.test.ts): its rows are the periods read.
    engine = new KpiEngine(db(), { currency: 'USD', now: () => now, movementSlices: 1 });
    const first = await engine.report(monthly);
    expect(first).toEqual(await coldReport(db(), monthly));
    // November 2025 … October 2026, the open month included.
    expect(engine.cachedPeriods).toBe(12);
  });

  it('serves a repeated request with no write in between without reading any pledge', async () => {
    const events = await queriesDuring(db(), () => engine.report(monthly));
    expect(events.map((event) => event.queryName)).toEqual(['kpi.repeatableRead', 'kpi.changesSince']);
  });

  it('recomputes only the open period after a write in it, without a snapshot of history', async () => {
    const [user] = await db().query(oldestUser, {});
    await db().query(insertPledge, {
      userId: user?.id ?? 1,
      createdAt: new Date('2026-10-18T00:00:00Z'),
      cancelledAt: null,
    });
    const events = await queriesDuring(db(), () => engine.report(monthly));
    const names = events.map((event) => event.queryName);
    expect(names).not.toContain('kpi.mrrSnapshot');
    expect(names).not.toContain('kpi.mrrMovements');
    // The first write builds the open month's per-user state: every user moving in October.
    expect(rowsBuiltFrom(events)).toBeGreaterThan(10);
    expect(await engine.report(monthly)).toEqual(await coldReport(db(), monthly));
  });

  it('re-reads only the users a write in the open period touched, for every kind of write', async () => {
    const userMovementReads = async (write: () => Promise<unknown>) => {
      await write();
      const events = await queriesDuring(db(), () => engine.report(monthly));
      expect(await engine.report(monthly)).toEqual(await coldReport(db(), monthly));
      return events.filter((event) => event.queryName === 'kpi.userMovements').map((event) => event.rowCount);
    };
    const [user] = await db().query(oldestUser, {});
    let pledgeId = 0;
    expect(
      await userMovementReads(async () => {
        const [pledge] = await db().query(insertPledge, {
          userId: user?.id ?? 1,
          createdAt: new Date('2026-10-19T06:00:00Z'),
          cancelledAt: null,
        });
        pledgeId = pledge?.id ?? 0;
      }),
    ).toEqual([1]);
    const estimateCancel = defineQuery<{ id: number }, never>(
      'test.openEstimatedCancel',
      "UPDATE pledges SET cancelled_at = '2026-10-19T12:00:00Z', cancelled_at_source = 'estimated_import' WHERE id = :id",
    );
    expect(await userMovementReads(() => db().query(estimateCancel, { id: pledgeId }))).toEqual([1]);
    const remove = defineQuery<{ id: number }, never>(
      'test.openDelete',
      'DELETE FROM pledges WHERE id = :id',
    );
    // The user's pledges still exist (older ones): one row comes back.
    expect(await userMovementReads(() => db().query(remove, { id: pledgeId }))).toEqual([1]);
    // A registration in October moves no pledge: no user is re-read, registrations and conversion are.
    const register = defineQuery<Record<string, never>, never>(
      'test.openRegister',
      "INSERT INTO users (email, password_hash, created_at) VALUES ('open-month@example.test', 'x', '2026-10-19T13:00:00Z')",
    );
    expect(await userMovementReads(() => db().query(register, {}))).toEqual([]);
  });

  it('forgets a user whose only pledge in the open period is deleted (the re-read returns no row)', async () => {
    const register = defineQuery<Record<string, never>, { id: number }>(
      'test.loneRegister',
      "INSERT INTO users (email, password_hash, created_at) VALUES ('lone@example.test', 'x', '2025-06-01T00:00:00Z') RETURNING id",
    );
    const [lone] = await db().query(register, {});
    await engine.report(monthly); // the users write reaches back to June 2025: the state is rebuilt
    const [pledge] = await db().query(insertPledge, {
      userId: lone?.id ?? 0,
      createdAt: new Date('2026-10-19T20:00:00Z'),
      cancelledAt: null,
    });
    const withPledge = await engine.report(monthly);
    expect(withPledge).toEqual(await coldReport(db(), monthly));
    const remove = defineQuery<{ id: number }, never>(
      'test.loneDelete',
      'DELETE FROM pledges WHERE id = :id',
    );
    await db().query(remove, { id: pledge?.id ?? 0 });
    const events = await queriesDuring(db(), () => engine.report(monthly));
    const reread = events.filter((event) => event.queryName === 'kpi.userMovements');
    expect(reread.map((event) => event.rowCount)).toEqual([0]);
    const after = await engine.report(monthly);
    expect(after).toEqual(await coldReport(db(), monthly));
    expect(after.periods.at(-1)?.newMrrCents).toBe((withPledge.periods.at(-1)?.newMrrCents ?? 0) - 2500);
  });

  it("keeps the open period's registrations and conversion per user: a pledge re-reads its user alone", async () => {
    await engine.report(monthly);
    const reads = async (write: () => Promise<unknown>) => {
      await write();
      const events = await queriesDuring(db(), () => engine.report(monthly));
      const report = await engine.report(monthly);
      expect(report).toEqual(await coldReport(db(), monthly));
      const names = events.map((event) => event.queryName);
      expect(names).not.toContain('kpi.registrations');
      expect(names).not.toContain('kpi.conversion');
      const cohortRows = events.filter((event) => event.queryName === 'kpi.userConversion');
      return { cohortRows: cohortRows.map((event) => event.rowCount), october: report.periods.at(-1) };
    };
    // A pledge by a user who registered long before October: no member of the cohort is re-read.
    const [oldest] = await db().query(oldestUser, {});
    const october = new Date('2026-10-19T15:00:00Z');
    const byOldest = await reads(() =>
      db().query(insertPledge, { userId: oldest?.id ?? 1, createdAt: october, cancelledAt: null }),
    );
    expect(byOldest.cohortRows).toEqual([0]);
    // Someone registers in October: the cohort is read again whole, one member more, not converted.
    const register = defineQuery<Record<string, never>, { id: number }>(
      'test.cohortRegister',
      "INSERT INTO users (email, password_hash, created_at) VALUES ('cohort@example.test', 'x', '2026-10-19T16:00:00Z') RETURNING id",
    );
    let newcomer = 0;
    const registered = await reads(async () => {
      newcomer = (await db().query(register, {}))[0]?.id ?? 0;
    });
    const before = byOldest.october;
    expect(registered.october?.registrations).toBe((before?.registrations ?? 0) + 1);
    expect(registered.cohortRows).toEqual([registered.october?.conversionCohort]);
    expect(registered.october?.conversionConverted).toBe(before?.conversionConverted);
    // The newcomer's first pledge: that member alone is re-read, and converts.
    const firstPledge = await reads(() =>
      db().query(insertPledge, {
        userId: newcomer,
        createdAt: new Date('2026-10-19T17:00:00Z'),
        cancelledAt: null,
      }),
    );
    expect(firstPledge.cohortRows).toEqual([1]);
    expect(firstPledge.october?.conversionConverted).toBe((before?.conversionConverted ?? 0) + 1);
  });

  it('computes an open period with more moving users than it keeps whole, without trying to keep it again', async () => {
    const small = new KpiEngine(db(), { currency: 'USD', now: () => now, maxOpenUsers: 5 });
    await small.report(monthly);
    const [user] = await db().query(oldestUser, {});
    const names = async (createdAt: Date) => {
      await db().query(insertPledge, { userId: user?.id ?? 1, createdAt, cancelledAt: null });
      const events = await queriesDuring(db(), () => small.report(monthly));
      expect(await small.report(monthly)).toEqual(await coldReport(db(), monthly));
      return events.map((event) => event.queryName);
    };
    const first = await names(new Date('2026-10-19T18:00:00Z'));
    expect(first.filter((name) => name === 'kpi.openMovingUsers')).toHaveLength(1);
    expect(first).toContain('kpi.mrrMovements');
    const second = await names(new Date('2026-10-19T19:00:00Z'));
    expect(second).not.toContain('kpi.openMovingUsers');
    expect(second).not.toContain('kpi.userMovements');
    expect(second.filter((name) => name === 'kpi.mrrMovements').length).toBeGreaterThan(0);
    expect(small.openPeriodUsers('month')).toBe(0);
  });

  it('recomputes the open period whole after a bulk write of more than 1,000 users', async () => {
    await engine.report(monthly);
    const bulk = defineQuery<Record<string, never>, never>(
      'test.openBulkPledges',
      `INSERT INTO pledges (user_id, artist_id, amount_cents, created_at)
       SELECT id, 1, 700, '2026-10-19T14:00:00Z' FROM users ORDER BY id LIMIT 1200`,
    );
    await db().query(bulk, {});
    const events = await queriesDuring(db(), () => engine.report(monthly));
    expect(await engine.report(monthly)).toEqual(await coldReport(db(), monthly));
    // Users unknown: the state is rebuilt from every moving user (userIds NULL), not patched.
    expect(rowsBuiltFrom(events)).toBeGreaterThan(1000);
  });

  it('invalidates a closed month when a pledge is backfilled into it, and everything after it', async () => {
    const before = await engine.report(monthly);
    const [user] = await db().query(oldestUser, {});
    await db().query(insertPledge, {
      userId: user?.id ?? 1,
      createdAt: new Date('2026-02-10T08:00:00Z'),
      cancelledAt: null,
    });
    const events = await queriesDuring(db(), () => engine.report(monthly));
    const after = await engine.report(monthly);
    expect(after).toEqual(await coldReport(db(), monthly));
    const february = (report: typeof before) =>
      report.periods.find((p) => p.periodStart.startsWith('2026-02'));
    expect(february(after)?.mrrEndCents).toBe((february(before)?.mrrEndCents ?? 0) + 2500);
    // January stays cached: the recomputation reads from February on (9 periods: Feb … Oct).
    expect(events.find((event) => event.queryName === 'kpi.mrrMovements')?.rowCount).toBe(9);
    expect(after.periods[2]).toEqual(before.periods[2]);
  });

  it('invalidates when imported users arrive in closed periods (bulk COPY)', async () => {
    const before = await engine.report(monthly);
    await seedDemoData(db(), {
      users: 200,
      months: 10,
      seed: 77,
      until: new Date('2026-06-01T00:00:00Z'),
      append: true,
    });
    const after = await engine.report(monthly);
    expect(after).toEqual(await coldReport(db(), monthly));
    expect(after.periods[0]?.usersAtEnd).toBeGreaterThan(before.periods[0]?.usersAtEnd ?? 0);
  });

  it('invalidates on an update that moves a cancellation into a closed period, and on a delete', async () => {
    const [user] = await db().query(oldestUser, {});
    const [pledge] = await db().query(insertPledge, {
      userId: user?.id ?? 1,
      createdAt: new Date('2025-12-05T00:00:00Z'),
      cancelledAt: null,
    });
    await engine.report(monthly);
    const cancel = defineQuery<{ id: number; at: Date }, never>(
      'test.cancelPledge',
      'UPDATE pledges SET cancelled_at = :at WHERE id = :id',
    );
    await db().query(cancel, { id: pledge?.id ?? 0, at: new Date('2026-03-03T00:00:00Z') });
    expect(await engine.report(monthly)).toEqual(await coldReport(db(), monthly));
    const remove = defineQuery<{ id: number }, never>(
      'test.deletePledge',
      'DELETE FROM pledges WHERE id = :id',
    );
    await db().query(remove, { id: pledge?.id ?? 0 });
    expect(await engine.report(monthly)).toEqual(await coldReport(db(), monthly));
  });

  it('invalidates when a cancel with an estimated instant lands in a closed period', async () => {
    const [user] = await db().query(oldestUser, {});
    const [pledge] = await db().query(insertPledge, {
      userId: user?.id ?? 1,
      createdAt: new Date('2025-12-06T00:00:00Z'),
      cancelledAt: null,
    });
    const before = await engine.report(monthly);
    // As the legacy import's estimate is written: the instant and its provenance in one statement.
    await db().query(
      defineQuery<{ id: number; at: Date }, never>(
        'test.estimateCancel',
        "UPDATE pledges SET cancelled_at = :at, cancelled_at_source = 'estimated_import' WHERE id = :id",
      ),
      { id: pledge?.id ?? 0, at: new Date('2026-04-07T00:00:00Z') },
    );
    const after = await engine.report(monthly);
    expect(after).toEqual(await coldReport(db(), monthly));
    const april = (report: typeof before) => report.periods.find((p) => p.periodStart.startsWith('2026-04'));
    expect(april(after)?.estimatedChurnMovements).toBe((april(before)?.estimatedChurnMovements ?? 0) + 1);

    // A person corrects the provenance alone (the instant stays): the cached April must follow.
    await db().query(
      defineQuery<{ id: number }, never>(
        'test.recordCancel',
        "UPDATE pledges SET cancelled_at_source = 'recorded' WHERE id = :id",
      ),
      { id: pledge?.id ?? 0 },
    );
    const corrected = await engine.report(monthly);
    expect(corrected).toEqual(await coldReport(db(), monthly));
    expect(april(corrected)?.estimatedChurnMovements).toBe(april(before)?.estimatedChurnMovements);
  });

  it('keeps each interval in its own cache and agrees with a cold computation by day', async () => {
    expect(await engine.report(daily)).toEqual(await coldReport(db(), daily));
    const [user] = await db().query(oldestUser, {});
    await db().query(insertPledge, {
      userId: user?.id ?? 1,
      createdAt: new Date('2026-09-15T10:00:00Z'),
      cancelledAt: null,
    });
    expect(await engine.report(daily)).toEqual(await coldReport(db(), daily));
    expect(await engine.report(monthly)).toEqual(await coldReport(db(), monthly));
  });

  it('leaves old periods cached when a write only touches the open period', async () => {
    await engine.report(monthly);
    const [user] = await db().query(oldestUser, {});
    await db().query(insertPledge, {
      userId: user?.id ?? 1,
      createdAt: new Date('2026-10-19T00:00:00Z'),
      cancelledAt: null,
    });
    const events = await queriesDuring(db(), () => engine.report(monthly));
    const names = events.map((event) => event.queryName);
    expect(names).not.toContain('kpi.mrrMovements');
    // One per-user read: the state patched (userMovements) or, on first use, built (openMovingUsers).
    const perUserReads = names.filter(
      (name) => name === 'kpi.userMovements' || name === 'kpi.openMovingUsers',
    );
    expect(perUserReads).toHaveLength(1);
    expect(await engine.report(monthly)).toEqual(await coldReport(db(), monthly));
  });

  it('builds the open period a batch of rows at a time, and stops reading once past its bound', async () => {
    const build = (tx: Queryable, maxUsers: number, batchRows?: number) =>
      OpenPeriodState.build(tx, october, maxUsers, batchRows);
    const whole = await db().transaction((tx) => build(tx, 1_000_000));
    const users = whole?.userCount ?? 0;
    expect(users).toBeGreaterThan(30);

    let batched: OpenPeriodState | null = null;
    const events = await queriesDuring(db(), async () => {
      batched = await db().transaction((tx) => build(tx, 1_000_000, 7));
    });
    const fetches = events.filter((event) => event.queryName === 'kpi.fetchMovingUsers');
    expect(fetches.every((event) => event.rowCount <= 7)).toBe(true);
    expect(fetches).toHaveLength(Math.floor(users / 7) + 1);
    const built = batched as OpenPeriodState | null; // assigned in the callback: not narrowed here
    expect(built?.userCount).toBe(users);
    expect(built?.movements()).toEqual(whole?.movements());

    // Bounded at 10 users: the read stops after the batch that crosses 10 (two of 7 rows), not at the end;
    // and the cursor is closed, so the same transaction can build again.
    const capped = await queriesDuring(db(), () =>
      db().transaction(async (tx) => {
        expect(await build(tx, 10, 7)).toBeNull();
        expect((await build(tx, 1_000_000, 7))?.movements()).toEqual(whole?.movements());
      }),
    );
    const secondBuild = capped.map((event) => event.queryName).lastIndexOf('kpi.openMovingUsers');
    expect(secondBuild).toBeGreaterThan(0);
    expect(rowsBuiltFrom(capped.slice(0, secondBuild))).toBe(14);
  });
});
