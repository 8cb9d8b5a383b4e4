// The collector's evaluator on known traffic: the real scraper (fed by a simulated agent), its SLO ledger,
// the real input gatherer over an embedded database and the alert service on a hand-moved clock, notifying
// a webhook receiver on loopback; and a failing traffic source leaving only the burn inputs unknown. At
// 1,000 requests a minute the 30-day budget of the 99.9 % availability SLO is 43,200 failed requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertService } from '../../collector/alerts/alert-service.ts';
import { createAlertInputGatherer } from '../../collector/alerts/gather-inputs.ts';
import { readAlertInputs } from '../../collector/alerts/inputs.ts';
import type { WebhookPayload } from '../../collector/alerts/webhook-payload.ts';
import { createScrapeSource } from '../../collector/health/scrape-source.ts';
import { scrapeTrafficSource } from '../../collector/slo/scrape-traffic-source.ts';
import { measureBurnRates, sloLatencyThresholds } from '../../collector/slo/slo-burns.ts';
import type { TrafficSource } from '../../collector/slo/traffic-source.ts';
import { alertThresholds } from '../../core/alerts/thresholds.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { sloCatalog } from '../../core/slo/slo-catalog.ts';
import { scrapeSteps, simulatedAgent, type Traffic } from '../slo/simulated-agent.ts';
import { fastRetry, manualClock, startReceiver, type TestReceiver, t0 } from './alert-support.ts';

let db: Db;
let receiver: TestReceiver;

beforeAll(async () => {
  db = await openPgliteDb({ dataDir: 'memory://' });
  await migrate(db);
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver.close();
  await db.close();
});

const clean: Traffic = { ok: 1_000 };

/**
 * A collector's alerting on one simulated agent scraped every minute, HEALTH_RETENTION at its 6-h default:
 * the 1-day and 3-day windows can only come from the SLO ledger. The scraper has taken its baseline.
 */
async function burnRateEvaluator() {
  await db.runScript('test.clearAlertHistory', 'DELETE FROM alert_history');
  receiver.requests.length = 0;
  const clock = manualClock(t0);
  const agent = simulatedAgent();
  const scraper = createScrapeSource(
    { targets: ['http://simulated.test/metrics'], intervalMs: 60_000, retentionMs: 6 * 3_600_000 },
    { now: clock.now, fetch: agent.fetch },
  );
  const traffic = scrapeTrafficSource(scraper, {
    retentionSeconds: 6 * 3_600,
    latencyThresholds: sloLatencyThresholds(sloCatalog),
    now: clock.now,
  });
  const log: string[] = [];
  const inputs = createAlertInputGatherer({
    db,
    engine: new KpiEngine(db, { currency: 'USD' }),
    health: scraper,
    traffic,
    clock,
    log: (line) => log.push(line),
  });
  const service = createAlertService({
    db,
    inputs,
    clock,
    log: (line) => log.push(line),
    notifications: { webhookUrl: receiver.url, retry: fastRetry },
  });
  await scraper.scrapeOnce();
  const run = (steps: number, add: (step: number) => Traffic, after?: (step: number) => Promise<void>) =>
    scrapeSteps(scraper, agent, clock, {
      steps,
      intervalSeconds: 60,
      traffic: add,
      ...(after ? { after } : {}),
    });
  const evaluate = async () => {
    await service.evaluateOnce();
    await service.notificationsSettled();
  };
  /** Burn-rate alerts firing now. */
  const firingBurns = () =>
    service
      .states()
      .filter((s) => s.alertname.includes('BudgetBurn') && s.state === 'firing')
      .map((s) => s.alertname);
  /** Burn-rate notifications the receiver got. */
  const burnNotices = () =>
    receiver.requests
      .map((request) => request.body as WebhookPayload)
      .filter((payload) => payload.alertname.includes('BudgetBurn'));
  return { clock, scraper, traffic, inputs, service, log, run, evaluate, firingBurns, burnNotices };
}

describe('burn-rate alerts evaluated by the collector', () => {
  it('page on a fast burn (20 % 5xx) once the 1-h window has spent 2 % of the budget, notified once', async () => {
    const e = await burnRateEvaluator();
    try {
      // A clean day first, so the young ledger's 1-day and 3-day windows are not the burn alone.
      await e.run(1_440, () => clean);
      await e.evaluate();
      expect(e.firingBurns()).toEqual([]);
      const fastAfter: string[][] = [];
      // 200 of every 1,000 fail. After k minutes the 1-h window holds 200k failures in 60,000 requests:
      // burn 200k / 60,000 / 0.001 = 3.33k — 13.3 at 4 minutes, 16.7 at 5 (over 14.4); the 5-m one is 200.
      await e.run(
        6,
        () => ({ ok: 800, errors: 200 }),
        async () => {
          await e.evaluate();
          fastAfter.push(e.firingBurns());
        },
      );
      expect(fastAfter).toEqual([
        [],
        [],
        [],
        [],
        ['PledgeApiAvailabilityBudgetBurnFast'],
        ['PledgeApiAvailabilityBudgetBurnFast'],
      ]);
      // 6 h: 1,200 / 360,000 → 3.3 (under 6); 1 d and 3 d: 1,200 / 1,446,000 → 0.83 (under 3 and 1).
      const notices = e.burnNotices();
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({
        status: 'firing',
        alertname: 'PledgeApiAvailabilityBudgetBurnFast',
        severity: 'critical',
        audience: 'operator',
        threshold: 14.4,
      });
      expect(notices[0]?.value).toBeCloseTo(1_000 / 60, 9);
      expect(notices[0]?.summary).toMatch(/burning at 16\.7× over 1h and 5m/);
      expect(e.log.filter((line) => line.includes('burn'))).toEqual([]);
    } finally {
      await e.service.stop();
    }
  });

  it('fire nothing on a blip: one minute of 20 % 5xx spends 0.46 % of the budget', async () => {
    const e = await burnRateEvaluator();
    try {
      await e.run(1_440, () => clean);
      await e.run(1, () => ({ ok: 800, errors: 200 }));
      // The short window burns at 200 / 5,000 / 0.001 = 40, but the long one at 200 / 60,000 / 0.001 = 3.3.
      const burns = (await measureBurnRates(sloCatalog, e.traffic)).PledgeApiAvailability;
      expect(burns?.['5m']).toBeCloseTo(40, 9);
      expect(burns?.['1h']).toBeCloseTo(10 / 3, 9);
      const fired = new Set<string>();
      await e.evaluate();
      await e.run(
        10,
        () => clean,
        async () => {
          await e.evaluate();
          for (const status of e.service.states()) if (status.state === 'firing') fired.add(status.alertname);
        },
      );
      expect([...fired]).toEqual([]);
      expect(receiver.requests).toEqual([]);
    } finally {
      await e.service.stop();
    }
  });

  it('ticket a slow leak (0.5 % 5xx for 3 days, burn 5) on the 1-day and 3-day windows, never page', async () => {
    const e = await burnRateEvaluator();
    try {
      // 5 of every 1,000 fail: burn 0.005 / 0.001 = 5 over every window — over Slow's 3 and Leak's 1, under
      // Steady's 6 and Fast's 14.4. Evaluated every 6 hours.
      await e.run(
        3 * 1_440,
        () => ({ ok: 995, errors: 5 }),
        async (step) => {
          if ((step + 1) % 360 === 0) await e.evaluate();
        },
      );
      // The fine steps hold 6 h; the 1-day and 3-day windows are known only through the ledger, now full.
      expect(e.scraper.capacity).toBe(360);
      expect(e.traffic.coverageSeconds?.(259_200)).toBe(259_200);
      const values = readAlertInputs(await e.inputs.gather(), e.clock.now(), alertThresholds);
      expect(values.PledgeApiAvailabilityBurnSlow).toBeCloseTo(5, 9);
      expect(values.PledgeApiAvailabilityBurnLeak).toBeCloseTo(5, 9);
      expect(values.PledgeApiAvailabilityBurnFast).toBeCloseTo(5, 9);
      expect(e.firingBurns().sort()).toEqual([
        'PledgeApiAvailabilityBudgetBurnLeak',
        'PledgeApiAvailabilityBudgetBurnSlow',
      ]);
      const notices = e.burnNotices();
      expect(notices.map((notice) => [notice.alertname, notice.status, notice.severity]).sort()).toEqual([
        ['PledgeApiAvailabilityBudgetBurnLeak', 'firing', 'warning'],
        ['PledgeApiAvailabilityBudgetBurnSlow', 'firing', 'warning'],
      ]);
    } finally {
      await e.service.stop();
    }
  });

  it('leave the burn inputs unknown when the traffic source fails, logged once, the other inputs read', async () => {
    const log: string[] = [];
    const clock = manualClock(t0);
    const failing: TrafficSource = {
      kind: 'prometheus',
      retentionSeconds: null,
      traffic: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    };
    const inputs = createAlertInputGatherer({
      db,
      engine: new KpiEngine(db, { currency: 'USD' }),
      health: null,
      traffic: failing,
      clock,
      log: (line) => log.push(line),
    });
    const first = await inputs.gather();
    clock.advanceSeconds(15);
    const second = await inputs.gather();
    expect(first.sloBurnRates).toBeNull();
    expect(second.sloBurnRates).toBeNull();
    expect(second.users).toBe(0);
    expect(second.legacyFollow).toEqual([]);
    expect(readAlertInputs(second, clock.now(), alertThresholds).PledgeWritesBurnFast).toBeNull();
    expect(log).toEqual(["alerts: counting the SLOs' burn rates (prometheus) failed: connect ECONNREFUSED"]);
  });

  it("page on the latency SLO from the histogram's 0.5 s bucket: 40 % answered in 0.5-1 s", async () => {
    const e = await burnRateEvaluator();
    try {
      await e.run(1_440, () => clean);
      const firstFiring: number[] = [];
      // 400 of every 1,000 take 0.5-1 s: in the 1-s bucket, not the 0.5-s one. Objective 99 %: after k
      // minutes the 1-h burn is 400k / 60,000 / 0.01 = 0.667k — 14.0 at 21 minutes, 14.67 at 22 (over 14.4).
      await e.run(
        30,
        () => ({ ok: 1_000, slow: 400 }),
        async (step) => {
          await e.evaluate();
          if (e.firingBurns().includes('PledgeApiLatencyBudgetBurnFast')) firstFiring.push(step + 1);
        },
      );
      expect(firstFiring[0]).toBe(22);
      // No 5xx: the availability SLO does not burn.
      expect(e.firingBurns()).toEqual(['PledgeApiLatencyBudgetBurnFast']);
      const notices = e.burnNotices();
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ alertname: 'PledgeApiLatencyBudgetBurnFast', severity: 'critical' });
      expect(notices[0]?.value).toBeCloseTo((400 * 22) / 60_000 / 0.01, 9);
    } finally {
      await e.service.stop();
    }
  });
});
