// The alert history on both databases: transitions written, states restored on restart without a second
// notification, and GET /api/alerts (active + history newest first, ?limit bounded, 400 naming limit).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alertRoutes } from '../../collector/alerts/alert-routes.ts';
import { type AlertHistoryEntry, createAlertService } from '../../collector/alerts/alert-service.ts';
import type { AlertStatus } from '../../collector/alerts/types.ts';
import { requireRole, roleOf } from '../../collector/http/auth.ts';
import type { Db } from '../../core/db/types.ts';
import { errorHandler, notFound } from '../../core/http/http-errors.ts';
import { migrate } from '../../core/migrate.ts';
import { describeEachDatabase } from '../support/databases.ts';
import {
  fastRetry,
  fixedInputs,
  healthPoint,
  manualClock,
  startReceiver,
  type TestReceiver,
  t0,
} from './alert-support.ts';

const tokens = { founder: 'founder-token-for-alert-tests', operator: 'operator-token-for-alert-tests' };

interface AlertsBody {
  active: AlertStatus[];
  history: AlertHistoryEntry[];
}

describeEachDatabase('alert history', ({ fresh }) => {
  let db: Db;
  let receiver: TestReceiver;
  const clock = manualClock(t0);
  const inputs = fixedInputs(clock);
  const errorRatio = (ratio: number) =>
    inputs.set({ health: { total: healthPoint({ errorRatio: ratio }), instances: [] } });
  const newService = () =>
    createAlertService({
      db,
      inputs,
      clock,
      log: () => undefined,
      notifications: { webhookUrl: `${receiver.url}/hook`, retry: fastRetry },
    });
  const webhookStatuses = () =>
    receiver.requests.map((request) => {
      const body = request.body as { alertname: string; status: string };
      return `${body.alertname}:${body.status}`;
    });

  beforeAll(async () => {
    db = await fresh();
    await migrate(db);
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver.close();
  });

  it('restores a firing alert after a restart and does not notify it again', async () => {
    const first = newService();
    errorRatio(0.06); // above both 1 % and 5 %: critical after 120 s, warning after 300 s
    await first.evaluateOnce();
    clock.advanceSeconds(300);
    await first.evaluateOnce();
    await first.notificationsSettled();
    expect(webhookStatuses().sort()).toEqual(['ApiErrorRatioCritical:firing', 'ApiErrorRatioHigh:firing']);
    await first.stop();

    const restarted = newService();
    clock.advanceSeconds(30);
    const transitions = await restarted.evaluateOnce();
    await restarted.notificationsSettled();
    expect(transitions).toEqual([]);
    expect(webhookStatuses()).toHaveLength(2);
    expect(restarted.active().map((alert) => [alert.alertname, alert.state, alert.activeSince])).toEqual([
      ['ApiErrorRatioHigh', 'firing', new Date(t0).toISOString()],
      ['ApiErrorRatioCritical', 'firing', new Date(t0).toISOString()],
    ]);

    errorRatio(0);
    clock.advanceSeconds(15);
    await restarted.evaluateOnce();
    await restarted.notificationsSettled();
    expect(webhookStatuses().slice(2).sort()).toEqual([
      'ApiErrorRatioCritical:resolved',
      'ApiErrorRatioHigh:resolved',
    ]);
    await restarted.stop();
  });

  it('restores a pending alert with its pending clock, so `for` counts across the restart', async () => {
    const first = newService();
    inputs.set({ health: { total: healthPoint({ poolPending: 3 }), instances: [] } });
    clock.advanceSeconds(15);
    await first.evaluateOnce(); // DbPoolRequestsWaiting pending (for 60 s)
    await first.stop();
    const restarted = newService();
    clock.advanceSeconds(60);
    const transitions = await restarted.evaluateOnce();
    expect(transitions.map((t) => `${t.alertname}:${t.from}>${t.to}`)).toEqual([
      'DbPoolRequestsWaiting:pending>firing',
    ]);
    await restarted.stop();
  });

  it('serves GET /api/alerts: active alerts and the history newest first, bounded by limit', async () => {
    const service = newService();
    await service.evaluateOnce();
    const app = express();
    app.use('/api/alerts', requireRole(tokens, 'operator'));
    app.use(alertRoutes(service, { roleOf: (req) => roleOf(req.get('authorization'), tokens) }));
    app.use(notFound);
    app.use(errorHandler(() => undefined));
    const server: Server = await new Promise((resolve) => {
      const started = app.listen(0, '127.0.0.1', () => resolve(started));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = (path: string, role: keyof typeof tokens = 'operator') =>
      fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
    try {
      expect((await fetch(`${base}/api/alerts`)).status).toBe(401);
      const all = (await (await get('/api/alerts')).json()) as AlertsBody;
      // Transitions so far: 2 pending + 2 firing + 2 resolved (error ratio), pending + firing (pool).
      expect(all.history).toHaveLength(8);
      const times = all.history.map((row) => row.at);
      expect([...times].sort().reverse()).toEqual(times);
      expect(all.history[0]).toMatchObject({
        alertname: 'DbPoolRequestsWaiting',
        state: 'firing',
        audience: 'operator',
        value: 3,
        threshold: 0,
      });
      expect(all.active.map((alert) => alert.alertname)).toEqual(['DbPoolRequestsWaiting']);
      expect(all.active[0]).toMatchObject({
        severity: 'warning',
        audience: 'operator',
        summary: '3 callers waiting for a database connection',
      });

      // A founder-only alert (20 of 100 pledgers churned last month; `for` 0: pending and firing at once)
      // is shown to the founder and hidden from the operator, in the active list and in the history.
      inputs.set({
        health: { total: healthPoint({ poolPending: 3 }), instances: [] },
        lastMonthChurn: {
          periodStart: '2026-05-01T00:00:00.000Z',
          pledgersAtStart: 100,
          churnedPledgers: 20,
          logoChurnRate: 0.2,
        },
      });
      clock.advanceSeconds(15);
      await service.evaluateOnce();
      const operator = (await (await get('/api/alerts')).json()) as AlertsBody;
      const founder = (await (await get('/api/alerts', 'founder')).json()) as AlertsBody;
      expect(operator.history).toEqual(all.history);
      expect(operator.active.map((alert) => alert.alertname)).toEqual(['DbPoolRequestsWaiting']);
      expect(founder.history.slice(0, 2).map((row) => `${row.alertname}:${row.state}`)).toEqual([
        'LogoChurnHigh:firing',
        'LogoChurnHigh:pending',
      ]);
      expect(founder.active.map((alert) => alert.alertname)).toEqual([
        'DbPoolRequestsWaiting',
        'LogoChurnHigh',
      ]);

      const two = (await (await get('/api/alerts?limit=2')).json()) as AlertsBody;
      expect(two.history).toEqual(all.history.slice(0, 2));

      for (const bad of ['limit=0', 'limit=1001', 'limit=ten', 'limit=1&limit=2', 'since=x']) {
        const response = await get(`/api/alerts?${bad}`);
        expect(response.status).toBe(400);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('invalid_parameter');
        expect(body.error.message).toMatch(bad.startsWith('since') ? /^since/ : /^limit/);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await service.stop();
    }
  });
});
