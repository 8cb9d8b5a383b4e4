// LegacyFollowStale on both databases, from legacy_follow rows written as `pulse import-sqlite FILE --follow`
// leaves them: quiet while every followed file synced within 3 of its intervals, firing (at once: `for` 0)
// when one has not, resolved once it has synced again for its keep-firing time (5 min); quiet with nothing followed.
import { beforeAll, expect, it } from 'vitest';
import { createAlertService } from '../../collector/alerts/alert-service.ts';
import { createAlertInputGatherer } from '../../collector/alerts/gather-inputs.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { addLegacyFollow } from '../scaling/scaling-support.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { manualClock } from './alert-support.ts';

const markSynced = defineQuery<{ source: string; at: Date }, never>(
  'test.markLegacySynced',
  'UPDATE legacy_follow SET last_sync_at = :at, last_error = NULL, last_error_at = NULL WHERE source = :source',
);

describeEachDatabase('LegacyFollowStale', ({ db: mainDb }) => {
  let db: Db;
  beforeAll(async () => {
    db = mainDb();
    await migrate(db);
  });

  it('fires past 3 intervals without a successful sync and resolves once syncs are clean for its keep-firing time', async () => {
    const t0 = Date.parse('2026-06-15T12:00:00Z');
    const clock = manualClock(t0);
    const inputs = createAlertInputGatherer({
      db,
      engine: new KpiEngine(db, { currency: 'USD' }),
      health: null,
      clock,
      log: () => undefined,
    });
    const service = createAlertService({ db, inputs, clock, log: () => undefined });
    const followAlert = () => service.states().find((s) => s.alertname === 'LegacyFollowStale');
    try {
      expect((await inputs.gather()).legacyFollow).toEqual([]);
      await service.evaluateOnce();
      expect(followAlert()).toMatchObject({ state: 'inactive', value: 0 });

      const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
      await addLegacyFollow(db, { source: '/data/a/pledgr.db', intervalSeconds: 60, lastSyncAt: at(-30) });
      await addLegacyFollow(db, {
        source: '/data/b/pledgr.db',
        intervalSeconds: 600,
        lastSyncAt: at(-1_200),
        lastError: 'SQLITE_BUSY: database is locked',
        lastErrorAt: at(-5),
      });
      expect((await inputs.gather()).legacyFollow).toEqual([
        { lastSyncAt: t0 - 30_000, intervalSeconds: 60 },
        { lastSyncAt: t0 - 1_200_000, intervalSeconds: 600 },
      ]);
      // 30 s of 3 × 60 s, and 20 min of 3 × 10 min (failing, but not for 3 intervals yet): quiet.
      await service.evaluateOnce();
      expect(followAlert()).toMatchObject({ state: 'inactive', value: 0 });

      // 180 s after a's last sync is not past 3 intervals; a second later it is.
      clock.advanceSeconds(150);
      expect((await service.evaluateOnce()).map((t) => t.alertname)).not.toContain('LegacyFollowStale');
      clock.advanceSeconds(1);
      const fired = await service.evaluateOnce();
      expect(fired.filter((t) => t.alertname === 'LegacyFollowStale').map((t) => t.to)).toEqual([
        'pending',
        'firing',
      ]);
      expect(followAlert()).toMatchObject({
        state: 'firing',
        severity: 'warning',
        audience: 'operator',
        value: 1,
        summary:
          '1 followed legacy SQLite file(s) not synced for more than 3 intervals: following stopped or failing',
        action: [
          'restart `pulse import-sqlite FILE --follow`',
          'see the last error: GET /api/scaling (legacyFollow) or the Scaling view',
        ],
      });

      // b keeps failing: 1,200 + 751 = 1,951 s without a sync is past its 3 × 600 s as well.
      clock.advanceSeconds(600);
      await service.evaluateOnce();
      expect(followAlert()).toMatchObject({ state: 'firing', value: 2 });

      // Both sync again: still firing for its keep-firing time (5 min of clean syncs), then resolved.
      for (const source of ['/data/a/pledgr.db', '/data/b/pledgr.db']) {
        await db.query(markSynced, { source, at: new Date(clock.now()) });
      }
      expect((await service.evaluateOnce()).map((t) => t.alertname)).not.toContain('LegacyFollowStale');
      expect(followAlert()).toMatchObject({ state: 'firing', value: 0, keepFiringForSeconds: 300 });
      clock.advanceSeconds(300);
      for (const source of ['/data/a/pledgr.db', '/data/b/pledgr.db']) {
        await db.query(markSynced, { source, at: new Date(clock.now()) });
      }
      const resolved = await service.evaluateOnce();
      expect(resolved.filter((t) => t.alertname === 'LegacyFollowStale').map((t) => t.to)).toEqual([
        'resolved',
      ]);
      expect(followAlert()).toMatchObject({ state: 'resolved', value: 0 });
    } finally {
      await service.stop();
    }
  });
});
