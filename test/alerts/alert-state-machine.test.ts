// The alert state machine, driven through the service with a clock the test moves: pending, firing once
// the condition held for the rule's `for`, back to inactive before it, resolved, pending again; a missing
// input freezes the state. ApiLatencyHigh (p95 > 0.5 s for 300 s) is the rule under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertService, createAlertService } from '../../collector/alerts/alert-service.ts';
import { advance, initialAlertState } from '../../collector/alerts/state-machine.ts';
import type { AlertTransition } from '../../collector/alerts/types.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { fixedInputs, healthPoint, manualClock, t0 } from './alert-support.ts';

describe('advance (the pure transition function)', () => {
  it('goes from inactive through pending to firing in one step when `for` is 0', () => {
    const { next, entered } = advance(initialAlertState, { kind: 'true', value: 1 }, 0, t0);
    expect(entered).toEqual(['pending', 'firing']);
    expect(next).toMatchObject({ state: 'firing', activeSince: t0, firingSince: t0, value: 1 });
  });

  it('keeps a resolved alert resolved while the condition stays false', () => {
    const resolved = { ...initialAlertState, state: 'resolved' as const, resolvedAt: t0 };
    expect(advance(resolved, { kind: 'false', value: 0 }, 60, t0 + 1000).entered).toEqual([]);
  });
});

describe('alert state machine over time', () => {
  let db: Db;
  let service: AlertService;
  const clock = manualClock(t0);
  const inputs = fixedInputs(clock);
  const seen: AlertTransition[] = [];
  const latency = (latencyP95: number) =>
    inputs.set({ health: { total: healthPoint({ latencyP95 }), instances: [] } });
  const state = () => service.states().find((s) => s.alertname === 'ApiLatencyHigh');
  const step = async (seconds: number) => {
    clock.advanceSeconds(seconds);
    return (await service.evaluateOnce()).filter((t) => t.alertname === 'ApiLatencyHigh').map((t) => t.to);
  };

  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: 'memory://' });
    await migrate(db);
    service = createAlertService({ db, inputs, clock, log: () => undefined });
    service.onTransition((transition) => seen.push(transition));
  });

  afterAll(async () => {
    await service.stop();
    await db.close();
  });

  it('starts every alert inactive', async () => {
    expect(await step(0)).toEqual([]);
    expect(service.states().every((s) => s.state === 'inactive')).toBe(true);
    expect(service.active()).toEqual([]);
  });

  it('goes pending when the condition holds, and back to inactive when it stops before `for`', async () => {
    latency(0.6);
    expect(await step(15)).toEqual(['pending']);
    expect(await step(285)).toEqual([]); // 285 s < 300 s
    latency(0.2);
    expect(await step(10)).toEqual(['inactive']);
    expect(state()).toMatchObject({ state: 'inactive', activeSince: null });
  });

  it('fires once the condition has held for `for` (300 s), not a second earlier', async () => {
    latency(0.7);
    const pendingAt = clock.now() + 15_000;
    expect(await step(15)).toEqual(['pending']);
    expect(await step(299)).toEqual([]);
    expect(state()?.state).toBe('pending');
    expect(await step(1)).toEqual(['firing']);
    expect(state()).toMatchObject({
      state: 'firing',
      value: 0.7,
      activeSince: new Date(pendingAt).toISOString(),
      firingSince: new Date(pendingAt + 300_000).toISOString(),
      summary: 'API p95 latency 0.7 s (threshold 0.5 s)',
    });
    expect(await step(60)).toEqual([]); // still true: no second transition
  });

  it('leaves the state alone while the input is missing', async () => {
    inputs.set({ health: null });
    expect(await step(600)).toEqual([]);
    expect(state()?.state).toBe('firing');
  });

  it('resolves when the condition stops, and starts over at pending when it holds again', async () => {
    latency(0.3);
    expect(await step(15)).toEqual(['resolved']);
    expect(state()?.resolvedAt).toBe(new Date(clock.now()).toISOString());
    expect(await step(15)).toEqual([]);
    latency(0.9);
    expect(await step(15)).toEqual(['pending']);
    inputs.set({ health: null }); // a scrape gap does not restart the pending clock…
    expect(await step(200)).toEqual([]);
    latency(0.9);
    expect(await step(100)).toEqual(['firing']); // …so 15 + 200 + 100 ≥ 300 s after pending, it fires.
  });

  it('tells subscribers every transition in order, with from and to', () => {
    const path = seen.filter((t) => t.alertname === 'ApiLatencyHigh').map((t) => `${t.from}>${t.to}`);
    expect(path).toEqual([
      'inactive>pending',
      'pending>inactive',
      'inactive>pending',
      'pending>firing',
      'firing>resolved',
      'resolved>pending',
      'pending>firing',
    ]);
  });

  it('writes one history row per transition, newest first', async () => {
    const history = (await service.history(1000)).filter((row) => row.alertname === 'ApiLatencyHigh');
    expect(history.map((row) => row.state)).toEqual([
      'firing',
      'pending',
      'resolved',
      'firing',
      'pending',
      'inactive',
      'pending',
    ]);
    expect(history[0]).toMatchObject({
      severity: 'warning',
      value: 0.9,
      threshold: 0.5,
      labels: { alertname: 'ApiLatencyHigh', severity: 'warning', audience: 'operator' },
    });
    expect(service.historyWriteFailures()).toBe(0);
  });
});

describe('the evaluation loop', () => {
  it('evaluates at once on start, then every interval, and not after stop', async () => {
    const db = await openPgliteDb({ dataDir: 'memory://' });
    await migrate(db);
    const clock = manualClock(t0);
    const quiet = fixedInputs(clock);
    let gathered = 0;
    const inputs = {
      gather() {
        gathered += 1;
        return quiet.gather();
      },
    };
    const service = createAlertService({ db, inputs, clock, evaluationIntervalMs: 20, log: () => undefined });
    try {
      await service.start();
      await new Promise((resolve) => setTimeout(resolve, 150));
      await service.stop();
      const atStop = gathered;
      // 150 ms at one evaluation per 20 ms (each a few ms of PGlite work): several, but not unbounded.
      expect(atStop).toBeGreaterThanOrEqual(3);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(gathered).toBe(atStop);
    } finally {
      await db.close();
    }
  });
});
