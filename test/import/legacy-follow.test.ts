// Following a legacy Pledgr file (core/import/follow-pledgr.ts) on both databases, with files written as the
// current app writes them (support/legacy-file.ts) and modification times set by hand so every instant is
// known: the first sync imports the file; later syncs add new rows, observe cancels at the file's modification time
// with their window, keep creator flags and names current, and re-spell case-variant emails as a one-shot
// import would; a sync that dies half-way leaves nothing, and the next one imports everything exactly once;
// bad rows stop a sync (recorded on the state row) unless skipped; the KPIs show the followed churn.
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineQuery } from '../../core/db/query.ts';
import {
  diffSorted,
  FollowMemory,
  type SyncOptions,
  syncPledgrOnce,
} from '../../core/import/follow-pledgr.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { LegacyPledgrFile } from '../support/legacy-file.ts';

let workDir = '';
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'pulse-follow-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const selectPledges = defineQuery<
  Record<string, never>,
  { id: number; amount_cents: number; cancelled_at: Date | null; cancelled_at_source: string | null }
>(
  'test.followPledges',
  'SELECT id, amount_cents, cancelled_at, cancelled_at_source FROM pledges ORDER BY id',
);
const selectUsers = defineQuery<
  Record<string, never>,
  { id: number; email: string; name: string; is_creator: boolean }
>('test.followUsers', 'SELECT id, email, name, is_creator FROM users ORDER BY id');
const selectWindows = defineQuery<
  Record<string, never>,
  { pledge_id: number; not_before: Date; not_after: Date }
>(
  'test.followWindows',
  'SELECT pledge_id, not_before, not_after FROM legacy_observed_cancels ORDER BY pledge_id',
);
const selectState = defineQuery<
  Record<string, never>,
  {
    syncs: number;
    last_pledge_id: number;
    rows_imported: number;
    cancels_observed: number;
    last_error: string | null;
    file_modified_at: Date;
  }
>(
  'test.followState',
  'SELECT syncs, last_pledge_id, rows_imported, cancels_observed, last_error, file_modified_at FROM legacy_follow',
);

const options: SyncOptions = { intervalSeconds: 60, skipInvalid: false };
const at = (iso: string) => new Date(iso);
let fileCounter = 0;

/** A followed file: the app's writes, then `save(mtime)` writes it and sets its modification time. */
async function followedFile() {
  const file = await LegacyPledgrFile.create({ bcryptCost: 4 });
  const path = join(workDir, `followed-${++fileCounter}.db`);
  return {
    file,
    path,
    async save(modifiedAt: Date) {
      await file.save(path);
      await utimes(path, modifiedAt, modifiedAt);
    },
  };
}

describe('diffSorted', () => {
  it('finds ids ended in the file only, and counts those ended in the database only', () => {
    expect(diffSorted([1, 3, 5, 8], [1, 2, 5, 9])).toEqual({ newlyEnded: [3, 8], reactivated: 2 });
    expect(diffSorted([], [4])).toEqual({ newlyEnded: [], reactivated: 1 });
    expect(diffSorted([2, 4], [])).toEqual({ newlyEnded: [2, 4], reactivated: 0 });
  });
});

describeEachDatabase('following a legacy Pledgr file', ({ fresh }) => {
  // A running follower compares the file with its memory of the previous sync; a restarted one with the database.
  it.each([
    ['remembering the previous sync', () => new FollowMemory()],
    ['just restarted', () => undefined],
  ])(
    'imports the file, then new rows, observed cancels, creator flags and re-spelt emails (%s)',
    async (_, memoryOf) => {
      const db = await fresh();
      await migrate(db);
      const options: SyncOptions = { intervalSeconds: 60, skipInvalid: false, memory: memoryOf() };
      const legacy = await followedFile();
      const { file } = legacy;
      const ada = file.register({
        name: 'Ada',
        email: 'Ada@Example.test',
        password: 'a',
        createdAt: at('2024-01-02T00:00:00Z'),
      });
      const bo = file.register({
        name: 'Bo',
        email: 'bo@example.test',
        password: 'b',
        createdAt: at('2024-01-03T00:00:00Z'),
      });
      const band = file.createArtist({ userId: ada, name: 'Band', createdAt: at('2024-01-04T00:00:00Z') });
      const first = file.pledge({
        userId: bo,
        artistId: band,
        amount: 5,
        createdAt: at('2024-01-05T00:00:00Z'),
      });
      const old = file.pledge({
        userId: ada,
        artistId: band,
        amount: '7.5',
        createdAt: at('2024-01-06T00:00:00Z'),
      });
      file.cancel(old);
      await legacy.save(at('2024-02-01T00:00:00Z'));

      const sync1 = await syncPledgrOnce(db, legacy.path, {
        ...options,
        now: () => at('2024-02-01T00:00:05Z'),
      });
      expect(sync1).toMatchObject({ first: true, syncs: 1, imported: { users: 2, artists: 1, pledges: 2 } });
      expect(sync1.summary.estimatedCancellations).toBe(1);

      // The app goes on: a new fan, a pledge created and cancelled between two reads, a cancel of an old pledge,
      // Bo becomes a creator and renames, and 'ada@example.test' registers (a case variant of Ada).
      const cy = file.register({
        name: 'Cy',
        email: 'cy@example.test',
        password: 'c',
        createdAt: at('2024-02-02T00:00:00Z'),
      });
      const adaLower = file.register({
        name: 'ada',
        email: 'ada@example.test',
        password: 'd',
        createdAt: at('2024-02-03T00:00:00Z'),
      });
      const quick = file.pledge({
        userId: cy,
        artistId: band,
        amount: 3,
        createdAt: at('2024-02-04T00:00:00Z'),
      });
      file.cancel(quick);
      const kept = file.pledge({
        userId: adaLower,
        artistId: band,
        amount: 12,
        createdAt: at('2024-02-05T00:00:00Z'),
      });
      file.cancel(first);
      file.createArtist({ userId: bo, name: 'Bo Solo', createdAt: at('2024-02-06T00:00:00Z') });
      file.exec("UPDATE users SET name = 'Bo B.' WHERE id = ?", [bo]);
      await legacy.save(at('2024-02-10T12:00:00Z'));

      const sync2 = await syncPledgrOnce(db, legacy.path, options);
      expect(sync2).toMatchObject({
        first: false,
        syncs: 2,
        imported: { users: 2, artists: 1, pledge_levels: 0, pledges: 2 },
        cancelsObserved: 2,
        usersUpdated: 1,
        // Bo renamed and a creator now; Ada's users.email re-spelt: their cached profiles are to be dropped.
        changedUserIds: [ada, bo],
        reactivatedInFile: 0,
      });
      const observedAt = at('2024-02-10T12:00:00Z');
      expect(await db.query(selectPledges, {})).toEqual([
        { id: first, amount_cents: 500, cancelled_at: observedAt, cancelled_at_source: 'observed_follow' },
        {
          id: old,
          amount_cents: 750,
          cancelled_at: at('2024-02-01T00:00:00Z'),
          cancelled_at_source: 'estimated_import',
        },
        { id: quick, amount_cents: 300, cancelled_at: observedAt, cancelled_at_source: 'observed_follow' },
        { id: kept, amount_cents: 1200, cancelled_at: null, cancelled_at_source: null },
      ]);
      // The windows: after the previous read (quick: after its creation, which came later), by the file's time.
      const windows = await db.query(selectWindows, {});
      expect(windows.map((w) => [w.pledge_id, w.not_after])).toEqual([
        [first, observedAt],
        [quick, observedAt],
      ]);
      expect(windows[0]?.not_before).toEqual(at('2024-02-01T00:00:05Z'));
      // Quick was created after that read: its cancel came after its creation.
      expect(windows[1]?.not_before).toEqual(at('2024-02-04T00:00:00Z'));
      expect(await db.query(selectUsers, {})).toEqual([
        // A one-shot import of today's file gives the exact lower-case spelling to the new account.
        { id: ada, email: 'Ada@Example.test', name: 'Ada', is_creator: true },
        { id: bo, email: 'bo@example.test', name: 'Bo B.', is_creator: true },
        { id: cy, email: 'cy@example.test', name: 'Cy', is_creator: false },
        { id: adaLower, email: 'ada@example.test', name: 'ada', is_creator: false },
      ]);
      expect(await db.query(selectState, {})).toEqual([
        {
          syncs: 2,
          last_pledge_id: kept,
          rows_imported: 5 + 5,
          cancels_observed: 2,
          last_error: null,
          file_modified_at: observedAt,
        },
      ]);

      // Nothing new: a third sync changes nothing and observes nothing twice.
      await legacy.save(at('2024-02-11T00:00:00Z'));
      const sync3 = await syncPledgrOnce(db, legacy.path, options);
      expect(sync3).toMatchObject({
        syncs: 3,
        cancelsObserved: 0,
        usersUpdated: 0,
        imported: { users: 0, pledges: 0 },
      });

      // The KPIs of February: Ada churned at the import's estimate (the file's time, 1 February 00:00, which
      // belongs to February), Bo at an observed instant, Cy came and went (no movement). One of the two churn
      // movements rests on an estimated instant.
      const report = await new KpiEngine(db, { currency: 'USD' }).report({
        from: '2024-02-01',
        to: '2024-03-01',
        interval: 'month',
      });
      expect(report.periods[0]).toMatchObject({
        churnedPledgers: 2,
        churnedMrrCents: 1250,
        mrrEndCents: 1200,
        estimatedChurnMovements: 1,
      });
      file.close();
    },
  );

  it('leaves nothing of a sync that dies half-way, and the next sync imports every row exactly once', async () => {
    const target = await fresh();
    await migrate(target);
    const legacy = await followedFile();
    const { file } = legacy;
    const fan = file.register({
      name: 'Fan',
      email: 'fan@example.test',
      password: 'f',
      createdAt: at('2024-03-01T00:00:00Z'),
    });
    const artist = file.createArtist({ userId: fan, name: 'Solo', createdAt: at('2024-03-01T00:00:00Z') });
    file.pledge({ userId: fan, artistId: artist, amount: 1, createdAt: at('2024-03-02T00:00:00Z') });
    await legacy.save(at('2024-03-03T00:00:00Z'));
    await syncPledgrOnce(target, legacy.path, options);

    file.begin();
    for (let i = 0; i < 500; i++) {
      file.pledge({ userId: fan, artistId: artist, amount: 2, createdAt: at('2024-03-04T00:00:00Z') });
    }
    file.commit();
    file.cancel(1);
    await legacy.save(at('2024-03-05T00:00:00Z'));
    // The process dies while the pledges are being copied (here: an exception from inside the transaction).
    const dying = syncPledgrOnce(target, legacy.path, {
      ...options,
      onProgress: ({ table }) => {
        if (table === 'pledges') throw new Error('killed mid-sync');
      },
    });
    await expect(dying).rejects.toThrow('killed mid-sync');
    const afterDeath = await target.query(selectPledges, {});
    expect(afterDeath).toHaveLength(1);
    expect(afterDeath[0]?.cancelled_at).toBeNull();
    expect(await target.query(selectState, {})).toMatchObject([
      { syncs: 1, last_pledge_id: 1, last_error: 'killed mid-sync' },
    ]);

    const resumed = await syncPledgrOnce(target, legacy.path, options);
    expect(resumed).toMatchObject({ syncs: 2, imported: { pledges: 500 }, cancelsObserved: 1 });
    const pledges = await target.query(selectPledges, {});
    expect(pledges).toHaveLength(501);
    expect(new Set(pledges.map((p) => p.id)).size).toBe(501);
    expect(pledges.reduce((sum, p) => sum + p.amount_cents, 0)).toBe(100 + 500 * 200);
    expect(await target.query(selectState, {})).toMatchObject([
      { syncs: 2, last_pledge_id: 501, last_error: null },
    ]);
    file.close();
  });

  it('stops a sync at a bad row (recorded on the state row), or skips it with skipInvalid', async () => {
    const target = await fresh();
    await migrate(target);
    const legacy = await followedFile();
    const { file } = legacy;
    const fan = file.register({
      name: 'Fan',
      email: 'fan@example.test',
      password: 'f',
      createdAt: at('2024-03-01T00:00:00Z'),
    });
    const artist = file.createArtist({ userId: fan, name: 'Solo', createdAt: at('2024-03-01T00:00:00Z') });
    await legacy.save(at('2024-03-02T00:00:00Z'));
    await syncPledgrOnce(target, legacy.path, options);

    const good = file.pledge({
      userId: fan,
      artistId: artist,
      amount: 4,
      createdAt: at('2024-03-03T00:00:00Z'),
    });
    const bad = file.pledge({
      userId: fan,
      artistId: artist,
      amount: 'abc',
      createdAt: at('2024-03-03T00:00:00Z'),
    });
    await legacy.save(at('2024-03-04T00:00:00Z'));
    await expect(syncPledgrOnce(target, legacy.path, options)).rejects.toThrow(
      `pledges row id ${bad}: amount: "abc" is stored as text`,
    );
    expect(await target.query(selectPledges, {})).toEqual([]);
    expect((await target.query(selectState, {}))[0]?.last_error).toMatch(
      /^1 bad row \(first: pledges row id 2/,
    );

    const reported: string[] = [];
    const skipped = await syncPledgrOnce(target, legacy.path, {
      ...options,
      skipInvalid: true,
      onBadRow: (row) => reported.push(`${row.table} ${row.id} ${row.column}`),
    });
    expect(skipped).toMatchObject({ imported: { pledges: 1 }, skipped: { pledges: 1 } });
    expect(reported).toEqual([`pledges ${bad} amount`]);
    expect((await target.query(selectPledges, {})).map((p) => p.id)).toEqual([good]);
    // The skipped row is behind the follower now: the next sync does not report it again.
    await legacy.save(at('2024-03-05T00:00:00Z'));
    const next = await syncPledgrOnce(target, legacy.path, {
      ...options,
      onBadRow: () => reported.push('again'),
    });
    expect(next.skipped.pledges).toBe(0);
    expect(reported).toHaveLength(1);
    file.close();
  });

  it('refuses to start following into a database that already has users', async () => {
    const target = await fresh();
    await migrate(target);
    const legacy = await followedFile();
    legacy.file.register({ name: 'Fan', email: 'fan@example.test', password: 'f' });
    await legacy.save(at('2024-03-02T00:00:00Z'));
    await target.runScript(
      'test.seedUser',
      "INSERT INTO users (email, password_hash) VALUES ('x@example.test', 'x')",
    );
    await expect(syncPledgrOnce(target, legacy.path, options)).rejects.toThrow(/already has 1 users/);
    legacy.file.close();
  });
});
