// No flapping, through the real service on PGlite with a real webhook receiver: a figure oscillating around
// its threshold over many evaluations produces one firing and one notification, and resolves once — below
// the resolve threshold (hysteresis: ApiErrorRatioHigh fires above 1 %, resolves at 0.5 % or less) or when
// the keep-firing time has passed (DbPoolRequestsWaiting: 5 min). GET /api/alerts shows both settings.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertRoutes } from '../../collector/alerts/alert-routes.ts';
import { type AlertService, createAlertService } from '../../collector/alerts/alert-service.ts';
import { advance, initialAlertState } from '../../collector/alerts/state-machine.ts';
import type { AlertStatus } from '../../collector/alerts/types.ts';
import { alertRules } from '../../core/alerts/rules.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import {
  fastRetry,
  fixedInputs,
  healthPoint,
  manualClock,
  startReceiver,
  type TestReceiver,
  t0,
} from './alert-support.ts';

describe('advance with a resolve threshold or a keep-firing time', () => {
  const firing = { ...initialAlertState, state: 'firing' as const, activeSince: t0, firingSince: t0 };

  it('keeps a firing alert firing while the figure is past the resolve threshold', () => {
    const { next, entered } = advance(firing, { kind: 'false', value: 0.008, pastResolve: true }, 300, t0);
    expect(entered).toEqual([]);
    expect(next).toMatchObject({ state: 'firing', value: 0.008 });
    expect(advance(firing, { kind: 'false', value: 0.004, pastResolve: false }, 300, t0).entered).toEqual([
      'resolved',
    ]);
  });

  it('counts the keep-firing time from the first evaluation without the condition, restarting when it holds', () => {
    const gone = advance(firing, { kind: 'false', value: 0 }, 60, t0 + 15_000, 300);
    expect(gone).toMatchObject({ entered: [], next: { state: 'firing', keepFiringSince: t0 + 15_000 } });
    const back = advance(gone.next, { kind: 'true', value: 2 }, 60, t0 + 30_000, 300);
    expect(back.next.keepFiringSince).toBeNull();
    const goneAgain = advance(back.next, { kind: 'false', value: 0 }, 60, t0 + 45_000, 300);
    expect(advance(goneAgain.next, { kind: 'false', value: 0 }, 60, t0 + 344_999, 300).entered).toEqual([]);
    expect(advance(goneAgain.next, { kind: 'false', value: 0 }, 60, t0 + 345_000, 300).entered).toEqual([
      'resolved',
    ]);
  });
});

describe('a figure oscillating around its threshold', () => {
  let db: Db;
  let receiver: TestReceiver;
  let service: AlertService;
  const clock = manualClock(t0);
  const inputs = fixedInputs(clock);
  const set = (point: Parameters<typeof healthPoint>[0]) =>
    inputs.set({ health: { total: healthPoint(point), instances: [] } });
  /** The webhook notifications received for one alert, as "firing"/"resolved". */
  const notified = async (alertname: string) => {
    await service.notificationsSettled();
    return receiver.requests
      .map((request) => request.body as { alertname: string; status: string })
      .filter((body) => body.alertname === alertname)
      .map((body) => body.status);
  };
  const step = async (alertname: string) => {
    clock.advanceSeconds(15);
    return (await service.evaluateOnce()).filter((t) => t.alertname === alertname).map((t) => t.to);
  };
  const status = (alertname: string) => service.states().find((s) => s.alertname === alertname);

  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: 'memory://' });
    await migrate(db);
    receiver = await startReceiver();
    service = createAlertService({
      db,
      inputs,
      clock,
      log: () => undefined,
      notifications: { webhookUrl: `${receiver.url}/hook`, retry: fastRetry },
    });
  });

  afterAll(async () => {
    await service.stop();
    await receiver.close();
    await db.close();
  });

  it('error ratio 1.2 %/0.8 % for 15 min fires ApiErrorRatioHigh once, and it resolves only at 0.4 %', async () => {
    const name = 'ApiErrorRatioHigh';
    const entered: string[] = [];
    set({ errorRatio: 0.012 });
    for (let i = 0; i <= 20; i += 1) entered.push(...(await step(name))); // 300 s over 1 %: fires
    expect(entered).toEqual(['pending', 'firing']);
    // 60 evaluations alternating either side of 1 %, then 0.6 % (below 1 %, above 0.5 %) for 5 min.
    for (let i = 0; i < 60; i += 1) {
      set({ errorRatio: i % 2 === 0 ? 0.008 : 0.011 });
      entered.push(...(await step(name)));
    }
    set({ errorRatio: 0.006 });
    for (let i = 0; i < 20; i += 1) entered.push(...(await step(name)));
    expect(entered).toEqual(['pending', 'firing']);
    expect(status(name)).toMatchObject({ state: 'firing', value: 0.006 });
    expect(await notified(name)).toEqual(['firing']);

    set({ errorRatio: 0.004 });
    expect(await step(name)).toEqual(['resolved']);
    expect(await notified(name)).toEqual(['firing', 'resolved']);
    const history = (await service.history(1000)).filter((row) => row.alertname === name);
    expect(history.map((row) => row.state)).toEqual(['resolved', 'firing', 'pending']);
  });

  it('pool waits 2/0 for 10 min fire DbPoolRequestsWaiting once; it resolves 5 min after the last wait', async () => {
    const name = 'DbPoolRequestsWaiting';
    const entered: string[] = [];
    set({ poolPending: 2 });
    for (let i = 0; i < 5; i += 1) entered.push(...(await step(name))); // 60 s waiting: fires
    expect(entered).toEqual(['pending', 'firing']);
    for (let i = 0; i < 40; i += 1) {
      set({ poolPending: i % 2 === 0 ? 0 : 2 });
      entered.push(...(await step(name)));
    }
    // The last wait was at the final step above; the keep-firing clock starts at the first quiet evaluation.
    set({ poolPending: 0 });
    for (let i = 0; i < 20; i += 1) entered.push(...(await step(name)));
    expect(entered).toEqual(['pending', 'firing']);
    expect(status(name)).toMatchObject({
      state: 'firing',
      keepFiringForSeconds: 300,
      keepFiringSince: new Date(clock.now() - 19 * 15_000).toISOString(), // 285 s ago
    });
    expect(await notified(name)).toEqual(['firing']);
    expect(await step(name)).toEqual(['resolved']);
    expect(await notified(name)).toEqual(['firing', 'resolved']);
  });

  it('GET /api/alerts shows the resolve threshold and the keep-firing time of each active alert', async () => {
    set({ errorRatio: 0.03, poolPending: 1 });
    for (let i = 0; i < 21; i += 1) await step('ApiErrorRatioHigh');
    const app = express().use(alertRoutes(service));
    const server: Server = await new Promise((resolve) => {
      const started = app.listen(0, '127.0.0.1', () => resolve(started));
    });
    try {
      const { port } = server.address() as AddressInfo;
      const body = (await (await fetch(`http://127.0.0.1:${port}/api/alerts`)).json()) as {
        active: AlertStatus[];
      };
      const byName = new Map(body.active.map((alert) => [alert.alertname, alert]));
      expect(byName.get('ApiErrorRatioHigh')).toMatchObject({
        state: 'firing',
        threshold: 0.01,
        resolveThreshold: 0.005,
        keepFiringForSeconds: 0,
        keepFiringSince: null,
      });
      expect(byName.get('DbPoolRequestsWaiting')).toMatchObject({
        state: 'firing',
        threshold: 0,
        resolveThreshold: null,
        keepFiringForSeconds: 300,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the catalog', () => {
  it('gives every rule a resolve threshold on the lenient side, or a keep-firing time', () => {
    for (const rule of alertRules) {
      const keep = rule.keepFiringForSeconds ?? 0;
      const resolve = rule.resolveThreshold;
      expect(resolve !== undefined || keep > 0, rule.name).toBe(true);
      if (resolve === undefined) continue;
      if (rule.comparison.startsWith('>')) expect(resolve, rule.name).toBeLessThan(rule.threshold);
      else expect(resolve, rule.name).toBeGreaterThan(rule.threshold);
    }
  });
});
