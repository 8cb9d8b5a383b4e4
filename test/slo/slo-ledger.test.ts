// The SLO ledger (per-minute counts for the 1-day and 3-day burn windows) on its own and fed by the real
// scraper: its memory stays at 3 days of minutes whatever the run length, its window sums equal the
// scraper's fine steps for every window both hold, and the scrape traffic source answers windows past
// HEALTH_RETENTION from it, saying how much of a window a young collector covers.
import { describe, expect, it } from 'vitest';
import { createScrapeSource } from '../../collector/health/scrape-source.ts';
import { scrapeTrafficSource } from '../../collector/slo/scrape-traffic-source.ts';
import { createSloLedger, ledgerSeconds } from '../../collector/slo/slo-ledger.ts';
import type { WindowTraffic } from '../../collector/slo/window-traffic.ts';
import { burnWindows } from '../../core/slo/slo-windows.ts';
import { manualClock } from '../alerts/alert-support.ts';
import { scrapeSteps, simulatedAgent, type Traffic } from './simulated-agent.ts';

const minute = 60_000;
const day = 86_400_000;
/** Minute-aligned. */
const start = Date.parse('2026-06-01T00:00:00Z');

/** One minute's counts as the scraper hands them over. */
const counts = (requests: number, fasterThanHalfSecond = requests): WindowTraffic => ({
  requests,
  serverErrors: 0,
  pledgeWrites: 0,
  pledgeWritesSucceeded: 0,
  latency: [{ le: 0.5, count: fasterThanHalfSecond }],
});

/** Traffic that changes every step, so a window off by one step gives another sum. */
const varied = (step: number): Traffic => ({
  ok: 100 + (step % 7) * 13,
  errors: step % 5,
  slow: step % 3,
  pledgeWrites: 4 + (step % 4),
  failedPledgeWrites: step % 6 === 0 ? 1 : 0,
});

/** The SLI-relevant part of a window's counts: the 0.5 s bucket picked out. */
const sliCounts = (traffic: WindowTraffic) => ({
  requests: traffic.requests,
  serverErrors: traffic.serverErrors,
  pledgeWrites: traffic.pledgeWrites,
  pledgeWritesSucceeded: traffic.pledgeWritesSucceeded,
  faster: traffic.latency.find((bucket) => bucket.le === 0.5)?.count,
});

describe('SLO ledger', () => {
  it('keeps at most 3 days of minutes over a 4-day run, and sums only the last 3 days', () => {
    const ledger = createSloLedger([0.5]);
    expect(ledger.capacity).toBe(4_320);
    expect(ledgerSeconds).toBe(burnWindows['3d']);
    // Day d (0-3) adds d + 1 requests a minute, 1 of them slower than 0.5 s.
    for (let m = 0; m < 4 * 1_440; m++) {
      const perMinute = Math.floor(m / 1_440) + 1;
      ledger.record(start + m * minute + 30_000, counts(perMinute, perMinute - 1));
      if (m % 60 === 0) expect(ledger.size()).toBeLessThanOrEqual(4_320);
    }
    expect(ledger.size()).toBe(4_320);
    const now = start + 4 * day - 1;
    // The last 3 days: days 1, 2 and 3 at 2, 3 and 4 a minute.
    expect(ledger.traffic(259_200, now)).toMatchObject({ requests: 1_440 * (2 + 3 + 4) });
    expect(ledger.traffic(259_200, now).latency).toEqual([{ le: 0.5, count: 1_440 * (1 + 2 + 3) }]);
    // Longer than it keeps: the 3 days it has, never the forgotten day 0.
    expect(ledger.traffic(4 * 86_400, now).requests).toBe(1_440 * (2 + 3 + 4));
    expect(ledger.traffic(86_400, now).requests).toBe(1_440 * 4);
    // A window is whole minutes ending with the current one: 1 h is the last 60.
    expect(ledger.traffic(3_600, now).requests).toBe(60 * 4);
  });

  it('drops a step older than the minute its row already holds, and skips minutes nothing was scraped in', () => {
    const ledger = createSloLedger([0.5], 10);
    ledger.record(start + 20 * minute, counts(7));
    ledger.record(start + 10 * minute, counts(1_000)); // same row, 10 minutes older: gone from the ledger
    expect(ledger.traffic(600, start + 20 * minute).requests).toBe(7);
    // 10 minutes later nothing was recorded: the row of minute 20 is not read as minute 30.
    expect(ledger.traffic(60, start + 30 * minute).requests).toBe(0);
  });

  it("equals the scraper's fine steps over every window both hold (5 m to 6 h)", async () => {
    const clock = manualClock(start);
    const agent = simulatedAgent();
    const scraper = createScrapeSource(
      { targets: ['http://simulated.test/metrics'], intervalMs: 15_000, retentionMs: 6 * 3_600_000 },
      { now: clock.now, fetch: agent.fetch },
    );
    const ledger = createSloLedger([0.5]);
    scraper.onTotalStep((step) => ledger.record(step.t, step.traffic));
    await scraper.scrapeOnce();
    // 7 h of 15-s steps, ending on a minute's last step (…:45): the fine steps' window (now − W, now] and
    // the ledger's whole minutes then hold the same steps.
    await scrapeSteps(scraper, agent, clock, { steps: 7 * 240 - 1, intervalSeconds: 15, traffic: varied });
    expect(new Date(clock.now()).getUTCSeconds()).toBe(45);
    for (const seconds of [300, 1_800, 3_600, 7_200, 21_600]) {
      const fine = sliCounts(scraper.traffic(seconds));
      expect(fine.requests).toBeGreaterThan(0);
      expect(sliCounts(ledger.traffic(seconds, clock.now()))).toEqual(fine);
    }
  });
});

describe('scrape traffic source', () => {
  it('answers windows past HEALTH_RETENTION (1 h) from the ledger, up to 3 days, with their coverage', async () => {
    const clock = manualClock(start);
    const agent = simulatedAgent();
    const scraper = createScrapeSource(
      { targets: ['http://simulated.test/metrics'], intervalMs: 60_000, retentionMs: 3_600_000 },
      { now: clock.now, fetch: agent.fetch },
    );
    const source = scrapeTrafficSource(scraper, {
      retentionSeconds: 3_600,
      latencyThresholds: [0.5],
      now: clock.now,
    });
    expect(source.retentionSeconds).toBe(259_200);
    await scraper.scrapeOnce();
    expect(source.coverageSeconds?.(259_200)).toBe(0);
    // Two days: 10 requests a minute (2 of them 5xx) on the first, 20 (1 of them 5xx) on the second.
    await scrapeSteps(scraper, agent, clock, {
      steps: 2 * 1_440,
      intervalSeconds: 60,
      traffic: (step) => (step < 1_440 ? { ok: 8, errors: 2 } : { ok: 19, errors: 1 }),
    });
    expect(await source.traffic(86_400, [0.5])).toMatchObject({ requests: 1_440 * 20, serverErrors: 1_440 });
    expect(await source.traffic(259_200, [0.5])).toMatchObject({
      requests: 1_440 * 30,
      serverErrors: 1_440 * 3,
    });
    // The 1-h window still comes from the fine steps, and agrees.
    expect(await source.traffic(3_600, [0.5])).toMatchObject({ requests: 60 * 20, serverErrors: 60 });
    expect(scraper.capacity).toBe(60);
    // Counting began with the first step (the first scrape only set the baseline): 2 days of a 3-day window.
    expect(source.coverageSeconds?.(259_200)).toBe(2 * 86_400);
    expect(source.coverageSeconds?.(86_400)).toBe(86_400);
  });
});
