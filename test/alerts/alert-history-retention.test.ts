// The alert history's retention on both databases: pruning deletes the transitions older than the
// retention in one statement but keeps each alert's newest row, so an alert firing for longer than the
// retention is still restored as firing (and not notified again) after a restart; the pruner prunes at
// start. ALERT_HISTORY_RETENTION is validated at start: a bad value stops `pulse collector` naming it.
import { beforeAll, describe, expect, it } from 'vitest';
import { createAlertService } from '../../collector/alerts/alert-service.ts';
import { type AlertStore, createAlertStore } from '../../collector/alerts/alert-store.ts';
import { startHistoryPruner } from '../../collector/alerts/history-pruner.ts';
import type { AlertStateName } from '../../collector/alerts/state-machine.ts';
import { loadCollectorConfig } from '../../collector/config.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { runCli } from '../support/run-cli.ts';
import { fixedInputs, healthPoint, manualClock, t0 } from './alert-support.ts';

const day = 86_400_000;
const retentionMs = 90 * day;
const now = t0 + 100 * day; // the cutoff is t0 + 10 days

/** [alert, state, days after t0]: the transitions written before pruning. */
const transitions: [string, AlertStateName, number][] = [
  ['ApiLatencyHigh', 'pending', 0],
  ['ApiLatencyHigh', 'firing', 0.01],
  ['ApiLatencyHigh', 'resolved', 1],
  ['ApiLatencyHigh', 'pending', 20], // newer than the cutoff: the three before it go
  ['ApiErrorRatioHigh', 'pending', 0],
  ['ApiErrorRatioHigh', 'firing', 0.01], // firing for 100 days: its newest row stays, the pending goes
  ['DbPoolNearlyFull', 'resolved', 2], // one old row, the newest: stays
  ['HeapUsedHigh', 'pending', 50],
  ['HeapUsedHigh', 'inactive', 50.001],
];

async function writeTransitions(store: AlertStore): Promise<void> {
  for (const [alertName, state, days] of transitions) {
    const at = new Date(t0 + days * day);
    await store.recordTransition({
      alertName,
      state,
      severity: 'warning',
      audience: 'operator',
      value: 0.02,
      threshold: 0.01,
      at,
      activeSince: state === 'firing' ? new Date(t0) : state === 'pending' ? at : null,
      labels: { alertname: alertName, severity: 'warning', audience: 'operator' },
    });
  }
}

describeEachDatabase('alert history retention', ({ fresh }) => {
  let db: Db;
  let store: AlertStore;

  beforeAll(async () => {
    db = await fresh();
    await migrate(db);
    store = createAlertStore(db);
    await writeTransitions(store);
  });

  const remaining = async () =>
    (await store.history(1000, ['operator'])).map((row) => `${row.alertName}:${row.state}`).reverse();

  it('the pruner deletes rows past the retention at start, keeping every alert’s newest row', async () => {
    const logged: string[] = [];
    const pruner = startHistoryPruner({
      db,
      retentionMs,
      clock: manualClock(now),
      log: (line) => logged.push(line),
    });
    await pruner.stop(); // waits for the prune it started with
    expect(await remaining()).toEqual([
      'ApiErrorRatioHigh:firing',
      'DbPoolNearlyFull:resolved',
      'ApiLatencyHigh:pending',
      'HeapUsedHigh:pending',
      'HeapUsedHigh:inactive',
    ]);
    expect(logged).toEqual(['alerts: pruned 4 alert history row(s) past the retention']);
    // A second round finds nothing more: newest rows are never pruned, however old.
    expect(await store.pruneHistory(new Date(now))).toBe(1); // HeapUsedHigh:pending
    expect(await store.pruneHistory(new Date(now))).toBe(0);
    expect((await store.latestPerAlert()).map((row) => `${row.alertName}:${row.state}`)).toEqual([
      'ApiErrorRatioHigh:firing',
      'ApiLatencyHigh:pending',
      'DbPoolNearlyFull:resolved',
      'HeapUsedHigh:inactive',
    ]);
  });

  it('an alert firing for longer than the retention is restored as firing after pruning, not notified again', async () => {
    const clock = manualClock(now);
    const inputs = fixedInputs(clock, {
      health: { total: healthPoint({ errorRatio: 0.02 }), instances: [] },
    });
    const service = createAlertService({ db, inputs, clock, log: () => undefined });
    try {
      const changed = (await service.evaluateOnce()).map((t) => `${t.alertname}:${t.to}`);
      expect(changed).not.toContain('ApiErrorRatioHigh:firing');
      expect(service.active().find((alert) => alert.alertname === 'ApiErrorRatioHigh')).toMatchObject({
        state: 'firing',
        activeSince: new Date(t0).toISOString(),
      });
    } finally {
      await service.stop();
    }
  });
});

describe('ALERT_HISTORY_RETENTION', () => {
  it('defaults to 90 days and reads a duration', () => {
    expect(loadCollectorConfig({}).alertHistory).toEqual({ retentionMs: 90 * day });
    expect(loadCollectorConfig({ ALERT_HISTORY_RETENTION: '30d' }).alertHistory).toEqual({
      retentionMs: 30 * day,
    });
  });

  it.each([
    ['90 days', /ALERT_HISTORY_RETENTION \("90 days"\): must be a duration such as 90d/],
    ['10m', /ALERT_HISTORY_RETENTION \("10m"\): must be from 3600 s/],
  ])('refuses %j, naming the variable', (value, message) => {
    expect(() => loadCollectorConfig({ ALERT_HISTORY_RETENTION: value })).toThrow(message);
  });

  it('stops `pulse collector` at start with the variable named', async () => {
    const result = await runCli(['collector'], { ALERT_HISTORY_RETENTION: 'forever' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/ALERT_HISTORY_RETENTION \("forever"\): must be a duration/);
  }, 30_000);
});
