// The movements of a range read in slices of the users, at once, on connections sharing the reading
// transaction's snapshot (PostgreSQL): a joined connection sees exactly that snapshot — not a row committed
// after it began — the slices add up to the whole query's figures for every field and period, and without
// a spare pooled connection the query runs whole in the transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { queriesDuring } from '../../core/db/queries-during.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db, Queryable } from '../../core/db/types.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { listPeriods } from '../../core/kpi/periods.ts';
import { rangesPerConnection, readMovements, userRanges } from '../../core/kpi/sliced-movements.ts';
import type { KpiRequest } from '../../core/kpi/types.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';

const now = new Date('2026-10-20T12:00:00Z');
const monthly: KpiRequest = { from: '2025-01-01', to: '2026-11-01', interval: 'month', asOf: now };
const weekly: KpiRequest = { from: '2026-03-02', to: '2026-10-19', interval: 'week', asOf: now };

const pledgeCount = defineQuery<Record<string, never>, { pledges: number }>(
  'test.slicedPledgeCount',
  'SELECT count(*)::int AS pledges FROM pledges',
);
const addPledge = defineQuery<Record<string, never>, never>(
  'test.slicedAddPledge',
  `INSERT INTO pledges (user_id, artist_id, amount_cents, created_at)
   VALUES ((SELECT min(id) FROM users), 1, 700, '2026-05-05T00:00:00Z')`,
);
const repeatableRead = 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ';
const sleep = defineQuery<{ seconds: number }, never>('test.slicedSleep', 'SELECT pg_sleep(:seconds)');
const missingTable = defineQuery<Record<string, never>, never>(
  'test.slicedFails',
  'SELECT * FROM no_such_table',
);
const monthlyPeriods = listPeriods(
  new Date('2025-01-01T00:00:00Z'),
  new Date('2026-11-01T00:00:00Z'),
  'month',
);
const monthlyRange = {
  bounds: monthlyPeriods.map((period) => period.start),
  rangeStart: new Date('2025-01-01T00:00:00Z'),
  rangeEnd: new Date('2026-11-01T00:00:00Z'),
};

const cold = (db: Db, movementSlices: number) =>
  new KpiEngine(db, { currency: 'USD', cache: false, now: () => now, movementSlices });

describe('user id ranges of the slices', () => {
  it('cover first … last once, without gaps or overlaps, the last one up to last + 1', () => {
    expect(userRanges(1n, 10n, 3)).toEqual([
      { usersFrom: '1', usersTo: '5' },
      { usersFrom: '5', usersTo: '9' },
      { usersFrom: '9', usersTo: '11' },
    ]);
    expect(userRanges(7n, 7n, 2).map((range) => [range.usersFrom, range.usersTo])).toEqual([
      ['7', '8'],
      ['8', '8'],
    ]);
    // Ids past 2^53 stay exact (bigint arithmetic, decimal text).
    expect(userRanges(9007199254740993n, 9007199254740996n, 2)).toEqual([
      { usersFrom: '9007199254740993', usersTo: '9007199254740995' },
      { usersFrom: '9007199254740995', usersTo: '9007199254740997' },
    ]);
  });
});

describeWithPostgres('KPI movements in slices of the users', () => {
  let temp: TempDatabase;
  let db: Db;
  beforeAll(async () => {
    temp = await createTempDatabase();
    // Three joined connections and one left for everything else, besides the transaction's own.
    db = openPostgresDb({ url: temp.url, pool: { ...testPool, max: 8 } });
    await migrate(db);
    await seedDemoData(db, { users: 2000, months: 24, seed: 17, until: now, append: false });
  });
  afterAll(async () => {
    await db.close();
    await temp.drop();
  });

  it('runs joined work in the snapshot of the transaction, not in a newer one', async () => {
    const seen = await db.transaction(async (tx) => {
      await tx.runScript('test.repeatableRead', repeatableRead);
      const [before] = await tx.query(pledgeCount, {});
      await db.query(addPledge, {}); // committed on another connection after the snapshot was taken
      const joined = await tx.inSharedSnapshot?.([
        (other) => other.query(pledgeCount, {}),
        (other) => other.query(pledgeCount, {}),
      ]);
      return { before: before?.pledges, joined: joined?.map((rows) => rows[0]?.pledges) };
    });
    expect(seen.joined).toEqual([seen.before, seen.before]);
    const [after] = await db.query(pledgeCount, {});
    expect(after?.pledges).toBe((seen.before ?? 0) + 1);
  });

  it('fails only once every joined connection has ended, with the error of the one that failed', async () => {
    let slowEnded = false;
    const failing = db.transaction(async (tx) =>
      tx.inSharedSnapshot?.<void>([
        async (other) => {
          await other.query(missingTable, {});
        },
        async (other) => {
          await other.query(sleep, { seconds: 0.5 });
          slowEnded = true;
        },
      ]),
    );
    await expect(failing).rejects.toThrow(/no_such_table/);
    expect(slowEnded).toBe(true);
  });

  it('adds the slices up to the whole query, for every field and period', async () => {
    for (const request of [monthly, weekly]) {
      const whole = await cold(db, 1).report(request);
      for (const connections of [2, 3]) {
        const events = await queriesDuring(db, async () => {
          expect(await cold(db, connections).report(request)).toEqual(whole);
        });
        const names = events.map((event) => event.queryName);
        expect(names.filter((name) => name === 'kpi.mrrMovements')).toHaveLength(
          connections * rangesPerConnection,
        );
        expect(names.filter((name) => name === 'kpi.sliceSettings')).toHaveLength(connections);
        expect(names.filter((name) => name === 'db.exportSnapshot')).toHaveLength(1);
      }
      expect(
        whole.periods.some(
          (period) => period.churnedPledgers > 0 && period.newMrrCents > 0 && period.expansionMrrCents > 0,
        ),
      ).toBe(true);
    }
  });

  it('lets the other connection take the ranges while one is held up, with the same figures', async () => {
    const read = (connections: number, alongside: (tx: Queryable) => Promise<string>) =>
      db.transaction(async (tx) => {
        await tx.runScript('test.repeatableRead', repeatableRead);
        return readMovements(tx, monthlyRange, connections, alongside);
      });
    const whole = await read(1, async () => 'whole');
    // The other reads hold their connection for two seconds: every range goes to the other one meanwhile.
    const events = await queriesDuring(db, async () => {
      const held = await read(2, async (joined) => {
        await joined.query(sleep, { seconds: 2 });
        return 'held';
      });
      expect(held.alongside).toBe('held');
      const byStart = (rows: typeof whole.movements) =>
        [...rows].sort((a, b) => a.periodStart.getTime() - b.periodStart.getTime());
      expect(byStart(held.movements)).toEqual(byStart(whole.movements));
    });
    const order = events.map((event) => event.queryName);
    const ranges = order.filter((name) => name === 'kpi.mrrMovements');
    expect(ranges).toHaveLength(2 * rangesPerConnection);
    // All ranges were read before the held connection was free again.
    expect(order.lastIndexOf('kpi.mrrMovements')).toBeLessThan(order.indexOf('test.slicedSleep'));
  });

  it('fails as a whole when one connection fails, and a later read runs sliced with the same figures', async () => {
    const failing = db.transaction(async (tx) =>
      readMovements(tx, monthlyRange, 2, async (joined) => joined.query(missingTable, {})),
    );
    await expect(failing).rejects.toThrow(/no_such_table/);
    const events = await queriesDuring(db, async () => {
      expect(await cold(db, 2).report(monthly)).toEqual(await cold(db, 1).report(monthly));
    });
    expect(events.filter((event) => event.queryName === 'kpi.sliceSettings')).toHaveLength(2);
  });

  it('runs the query whole when the pool has no spare connection for the slices', async () => {
    const small = openPostgresDb({ url: temp.url, pool: { ...testPool, max: 2 } });
    try {
      const whole = await cold(db, 1).report(monthly);
      const events = await queriesDuring(small, async () => {
        expect(await cold(small, 2).report(monthly)).toEqual(whole);
      });
      const names = events.map((event) => event.queryName);
      expect(names.filter((name) => name === 'kpi.mrrMovements')).toHaveLength(1);
      expect(names).not.toContain('db.exportSnapshot');
    } finally {
      await small.close();
    }
  });
});
