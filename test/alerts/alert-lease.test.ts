// The alert lease between two alert services on one database (both data layers): the first to claim it
// evaluates and notifies, the other follows the states it records; a holder that stalls past its lease
// while another collector takes over records and notifies nothing of that evaluation and becomes a follower
// showing the new holder's states — so the firing is notified exactly once.
import { expect, it } from 'vitest';
import { createAlertLease } from '../../collector/alerts/alert-lease.ts';
import { type AlertService, createAlertService } from '../../collector/alerts/alert-service.ts';
import type { AlertInputGatherer } from '../../collector/alerts/gather-inputs.ts';
import type { AlertSnapshot } from '../../collector/alerts/inputs.ts';
import { defineQuery } from '../../core/db/query.ts';
import { migrate } from '../../core/migrate.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { fastRetry, quietSnapshot, startReceiver } from './alert-support.ts';

const historyOf = defineQuery<{ name: string }, { state: string }>(
  'test.leaseHistoryOfAlert',
  'SELECT state FROM alert_history WHERE alert_name = :name ORDER BY at, id',
);

/** One followed file not synced for an hour: LegacyFollowStale fires at once (`for` 0). */
const staleFollow = (now: number): Partial<AlertSnapshot> => ({
  legacyFollow: [{ lastSyncAt: now - 3_600_000, intervalSeconds: 60 }],
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachDatabase('the alert lease', ({ db }) => {
  it('lets one holder notify, and a holder that stalled past its lease records and notifies nothing', async () => {
    await migrate(db());
    const receiver = await startReceiver();
    let stale = false;
    let duringA: (() => Promise<unknown>) | null = null;
    const inputs = (hook: () => (() => Promise<unknown>) | null): AlertInputGatherer => ({
      async gather() {
        await hook()?.();
        return quietSnapshot(Date.now(), stale ? staleFollow(Date.now()) : {});
      },
    });
    const service = (id: string, durationMs: number, gather: AlertInputGatherer): AlertService =>
      createAlertService({
        db: db(),
        inputs: gather,
        lease: createAlertLease({ holderId: id, durationMs }),
        notifications: { webhookUrl: receiver.url, retry: fastRetry },
        log: () => undefined,
      });
    const a = service(
      'collector-a',
      300,
      inputs(() => duringA),
    );
    const b = service(
      'collector-b',
      60_000,
      inputs(() => null),
    );
    const firing = () =>
      receiver.requests.filter((r) => (r.body as { status: string }).status === 'firing').length;
    try {
      await a.evaluateOnce();
      await b.evaluateOnce();
      expect([a.leader(), b.leader()]).toEqual([true, false]);

      // A stalls in its evaluation past its 300 ms lease; B takes over meanwhile and fires the alert.
      stale = true;
      duringA = async () => {
        duringA = null;
        await sleep(400);
        await b.evaluateOnce();
      };
      expect(await a.evaluateOnce()).toEqual([]);
      await Promise.all([a.notificationsSettled(), b.notificationsSettled()]);
      expect([a.leader(), b.leader()]).toEqual([false, true]);
      expect(firing()).toBe(1);
      expect((await db().query(historyOf, { name: 'LegacyFollowStale' })).map((r) => r.state)).toEqual([
        'pending',
        'firing',
      ]);
      // A follows: it shows the firing alert B recorded, and notifies nothing more.
      expect(a.active().map((s) => [s.alertname, s.state])).toEqual([['LegacyFollowStale', 'firing']]);
      await a.evaluateOnce();
      await b.evaluateOnce();
      await Promise.all([a.notificationsSettled(), b.notificationsSettled()]);
      expect(firing()).toBe(1);
    } finally {
      await a.stop();
      await b.stop();
      await receiver.close();
    }
  });
});
