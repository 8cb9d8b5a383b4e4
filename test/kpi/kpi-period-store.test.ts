// Computed periods kept in the database (kpi_period_store): a restarted engine answers from the store with
// no pledge read; every kind of write made while no engine runs — insert, update, delete, bulk COPY, a
// legacy SQLite import — into a closed period makes the restarted answer equal a cold computation, with the
// periods before the change still served from the store; two engines on one database stay consistent
// whichever computes and whichever reads; and pruning the change log deletes the stored periods its old
// entries condemn before the entries go. On PGlite and PostgreSQL alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { queriesDuring } from '../../core/db/queries-during.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db, QueryEvent } from '../../core/db/types.ts';
import { importPledgr } from '../../core/import/import-pledgr.ts';
import { openSqliteImportFile } from '../../core/import/open-sqlite-file.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import type { KpiReport, KpiRequest } from '../../core/kpi/types.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { LegacyPledgrFile } from '../support/legacy-file.ts';

const now = new Date('2026-10-20T12:00:00Z');
const monthly: KpiRequest = { from: '2025-11-01', to: '2026-11-01', interval: 'month', asOf: now };
const daily: KpiRequest = { from: '2026-09-01', to: '2026-10-21', interval: 'day', asOf: now };

const insertPledge = defineQuery<{ createdAt: Date; cancelledAt: Date | null }, { id: number }>(
  'test.storeInsertPledge',
  `INSERT INTO pledges (user_id, artist_id, amount_cents, created_at, cancelled_at)
   VALUES ((SELECT min(id) FROM users), 1, 2500, :createdAt, :cancelledAt) RETURNING id`,
);
const cancelPledge = defineQuery<{ id: number; at: Date }, never>(
  'test.storeCancelPledge',
  'UPDATE pledges SET cancelled_at = :at WHERE id = :id',
);
const deletePledge = defineQuery<{ id: number }, never>(
  'test.storeDeletePledge',
  'DELETE FROM pledges WHERE id = :id',
);
const storedRows = defineQuery<Record<string, never>, { rows: number }>(
  'test.storedRows',
  'SELECT count(*)::int AS rows FROM kpi_period_store',
);
const ageChangeLog = defineQuery<Record<string, never>, never>(
  'test.ageChangeLog',
  "UPDATE kpi_changes SET recorded_at = recorded_at - interval '2 days'",
);

// One movements query per range (no slices: kpi-sliced-movements.test.ts covers them), so its row count is
// the number of periods recomputed.
const engineOn = (db: Db) => new KpiEngine(db, { currency: 'USD', now: () => now, movementSlices: 1 });
const cold = (db: Db, request: KpiRequest) =>
  new KpiEngine(db, { currency: 'USD', cache: false, now: () => now }).report(request);

const movementRows = (events: QueryEvent[]) =>
  events.find((event) => event.queryName === 'kpi.mrrMovements')?.rowCount;
const march = (report: KpiReport) => report.periods.find((p) => p.periodStart.startsWith('2026-03'));

const workDir = await mkdtemp(join(tmpdir(), 'pulse-store-'));
afterAll(() => rm(workDir, { recursive: true, force: true }));

let legacyFiles = 0;
/** A legacy Pledgr file with one new fan pledging in March 2026 (a closed period). */
async function legacyFileWithMarchPledge(name: string): Promise<string> {
  const file = await LegacyPledgrFile.create({ bcryptCost: 4 });
  // The import keeps the file's ids: start them past the seeded rows'.
  const start = 1_000_000 * ++legacyFiles;
  file.exec(
    `INSERT INTO sqlite_sequence (name, seq) VALUES ('users', ${start}), ('artists', ${start}), ('pledges', ${start})`,
  );
  const fan = file.register({
    name: 'Fan',
    email: `${name}@example.test`,
    password: 'x',
    createdAt: new Date('2026-03-02T00:00:00Z'),
  });
  const band = file.createArtist({ userId: fan, name: 'Band', createdAt: new Date('2026-03-02T00:00:00Z') });
  file.pledge({ userId: fan, artistId: band, amount: 12.5, createdAt: new Date('2026-03-03T00:00:00Z') });
  return file.save(join(workDir, `${name}.db`));
}

describeEachDatabase('KPI periods kept in the database', ({ db }) => {
  it('serves a restarted engine from the store, reading no pledge, equal to a cold computation', async () => {
    await migrate(db());
    await seedDemoData(db(), { users: 1500, months: 14, seed: 11, until: now, append: false });
    const first = await engineOn(db()).report(monthly);
    await engineOn(db()).report(daily);
    expect(first).toEqual(await cold(db(), monthly));

    const restarted = engineOn(db());
    const events = await queriesDuring(db(), () => restarted.report(monthly));
    const names = events.map((event) => event.queryName);
    expect(names).toContain('kpi.loadStoredPeriods');
    for (const pledgeRead of ['kpi.mrrMovements', 'kpi.registrations', 'kpi.conversion', 'kpi.mrrSnapshot']) {
      expect(names).not.toContain(pledgeRead);
    }
    expect(await restarted.report(monthly)).toEqual(first);
    expect(await engineOn(db()).report(daily)).toEqual(await cold(db(), daily));
  });

  /** A write into March 2026 (closed), after an optional setup the "before" report already includes. */
  interface WriteCase {
    readonly what: string;
    readonly setup?: () => Promise<unknown>;
    readonly write: () => Promise<unknown>;
  }
  let pledgeId = 0;
  const insertInto = async (createdAt: string) => {
    const [pledge] = await db().query(insertPledge, { createdAt: new Date(createdAt), cancelledAt: null });
    pledgeId = pledge?.id ?? 0;
  };
  const writesIntoMarch: WriteCase[] = [
    { what: 'an insert', write: () => insertInto('2026-03-10T00:00:00Z') },
    {
      what: 'an update moving a cancel into March',
      setup: () => insertInto('2025-12-05T00:00:00Z'),
      write: () => db().query(cancelPledge, { id: pledgeId, at: new Date('2026-03-04T00:00:00Z') }),
    },
    {
      what: 'a delete',
      setup: () => insertInto('2026-03-12T00:00:00Z'),
      write: () => db().query(deletePledge, { id: pledgeId }),
    },
    {
      what: 'a bulk COPY of users and pledges',
      write: () =>
        seedDemoData(db(), {
          users: 150,
          months: 1,
          seed: 78,
          until: new Date('2026-04-01T00:00:00Z'),
          append: true,
        }),
    },
    {
      what: 'a legacy SQLite import',
      write: async () => {
        const opened = await openSqliteImportFile(await legacyFileWithMarchPledge(`import-${Date.now()}`));
        if (opened.shape !== 'pledgr')
          throw new Error(`expected the Pledgr app's shape, got ${opened.shape}`);
        try {
          await importPledgr(db(), opened.file, { append: true, skipInvalid: false });
        } finally {
          opened.file.close();
        }
      },
    },
  ];

  for (const { what, setup, write } of writesIntoMarch) {
    it(`after ${what} in a closed period while no engine runs, a restarted engine equals cold`, async () => {
      await setup?.();
      const before = await engineOn(db()).report(monthly);
      await write();
      const restarted = engineOn(db());
      const events = await queriesDuring(db(), () => restarted.report(monthly));
      const after = await restarted.report(monthly);
      expect(after).toEqual(await cold(db(), monthly));
      // November … February still come from the store; March … October (8 periods) are recomputed.
      expect(movementRows(events)).toBe(8);
      expect(after.periods.slice(0, 4)).toEqual(before.periods.slice(0, 4));
      expect(march(after)).not.toEqual(march(before));
    });
  }

  it('keeps two engines on one database consistent, whichever computes and whichever reads', async () => {
    const a = engineOn(db());
    const b = engineOn(db());
    expect(await a.report(monthly)).toEqual(await b.report(monthly));
    await db().query(insertPledge, { createdAt: new Date('2026-06-10T00:00:00Z'), cancelledAt: null });
    // b computes the change and stores it; a, holding the old June in memory, must not serve it.
    const fromB = await b.report(monthly);
    expect(fromB).toEqual(await cold(db(), monthly));
    expect(await a.report(monthly)).toEqual(fromB);
    await db().query(insertPledge, { createdAt: new Date('2026-10-19T00:00:00Z'), cancelledAt: null });
    expect(await a.report(monthly)).toEqual(await cold(db(), monthly));
    expect(await b.report(monthly)).toEqual(await cold(db(), monthly));
    // A third, restarted engine after both: from the store, the same answer.
    expect(await engineOn(db()).report(monthly)).toEqual(await cold(db(), monthly));
  });

  it('deletes the stored periods an aged log entry condemns before pruning the entry', async () => {
    await engineOn(db()).report(monthly);
    await db().query(insertPledge, { createdAt: new Date('2026-02-10T00:00:00Z'), cancelledAt: null });
    await db().query(ageChangeLog, {});
    // A new engine prunes on its first request (then hourly). Had the stored February … October outlived
    // the entry, nothing would condemn them any more and they would be served.
    const pruning = engineOn(db());
    const events = await queriesDuring(db(), () => pruning.report(monthly));
    expect(events.map((event) => event.queryName)).toContain('kpi.pruneChangeLog');
    expect(movementRows(events)).toBe(9);
    expect(await engineOn(db()).report(monthly)).toEqual(await cold(db(), monthly));
    const [stored] = await db().query(storedRows, {});
    expect(stored?.rows).toBeGreaterThanOrEqual(12);
  });
});
