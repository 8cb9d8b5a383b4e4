// GET /api/slo on a real collector scraping a stand-in agent with known counts: the SLI, budget and burn
// rates worked out by hand, the burn-rate alert each would fire, windows past HEALTH_RETENTION answered from
// the SLO ledger (with how much of them is covered), the 30-day window past it said to be out of reach
// (never a guessed figure), and the operator token required.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../collector/server.ts';
import type { SloReport } from '../../collector/slo/slo-report.ts';
import { getJson, startTestCollector } from '../support/collector.ts';
import { type StubAgent, startStubAgent, waitUntil } from './slo-stub-agent.ts';

describe('GET /api/slo from the collector scraper', () => {
  let agent: StubAgent;
  let collector: RunningCollector;
  let report: SloReport;

  beforeAll(async () => {
    agent = await startStubAgent();
    collector = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      { health: { agentMetricsUrls: [agent.metricsUrl], scrapeIntervalMs: 1_000, retentionMs: 3_600_000 } },
    );
    await waitUntil(() => agent.scrapes() >= 2);
    agent.release();
    const released = agent.scrapes();
    await waitUntil(() => agent.scrapes() >= released + 2);
    report = (await getJson(collector, '/api/slo', 'operator')).body as SloReport;
  }, 30_000);

  afterAll(async () => {
    await collector?.stop();
    await agent?.close();
  });

  const slo = (id: string) => report.slos.find((s) => s.id === id) as SloReport['slos'][number];
  const burn = (id: string, window: string) => slo(id).burnRates.find((w) => w.window === window);

  it('refuses the report without a token and answers the operator', async () => {
    expect((await getJson(collector, '/api/slo')).status).toBe(401);
    expect((await getJson(collector, '/api/slo', 'wrong')).status).toBe(401);
    expect((await getJson(collector, '/api/slo', 'operator')).status).toBe(200);
    expect((await getJson(collector, '/api/slo?window=1h', 'operator')).status).toBe(400);
  });

  it('gives availability 988/1000: SLI 0.988 and burn 12 over every window the collector keeps', () => {
    expect(report.source).toBe('scrape');
    expect(slo('PledgeApiAvailability').sli.value).toBeCloseTo(0.988, 9);
    for (const window of ['5m', '30m', '1h']) {
      expect(burn('PledgeApiAvailability', window)).toMatchObject({
        source: 'scrape',
        events: { total: 1000, bad: 12 },
      });
      expect(burn('PledgeApiAvailability', window)?.burnRate).toBeCloseTo(12, 9);
    }
  });

  it('counts latency from the 0.5 s bucket (20 slower: burn 2) and pledge writes without 4xx (2/82)', () => {
    expect(burn('PledgeApiLatency', '5m')?.events).toEqual({ total: 1000, bad: 20 });
    expect(burn('PledgeApiLatency', '5m')?.burnRate).toBeCloseTo(2, 9);
    expect(burn('PledgeWrites', '5m')?.events).toEqual({ total: 82, bad: 2 });
    expect(burn('PledgeWrites', '5m')?.burnRate).toBeCloseTo(2 / 82 / 0.001, 6);
  });

  it('says which burn-rate alert would fire: pledge writes page (24×), availability (12×) does not', () => {
    const fast = (id: string) => slo(id).alerts.find((a) => a.longWindow === '1h');
    expect(fast('PledgeWrites')).toMatchObject({ alertname: 'PledgeWritesBudgetBurnFast', wouldFire: true });
    expect(fast('PledgeApiAvailability')).toMatchObject({ factor: 14.4, wouldFire: false });
  });

  it('answers windows past HEALTH_RETENTION (1 h here) up to 3 days from the SLO ledger, saying how much they cover', () => {
    for (const window of ['2h', '6h', '1d', '3d']) {
      const figures = burn('PledgeApiAvailability', window);
      expect(figures).toMatchObject({ source: 'scrape', events: { total: 1000, bad: 12 } });
      expect(figures?.burnRate).toBeCloseTo(12, 9);
      // The collector has scraped for seconds, not hours: the figures say so rather than pass for the window.
      expect(figures?.coverageSeconds).toBeLessThan(60);
      expect(figures?.reason).toMatch(/has been scraping.*PROMETHEUS_URL/);
    }
    expect(report.retentionSeconds).toBe(3 * 86_400);
    expect(slo('PledgeApiAvailability').alerts.find((a) => a.longWindow === '6h')?.wouldFire).toBe(true);
    expect(slo('PledgeApiAvailability').alerts.find((a) => a.longWindow === '3d')?.wouldFire).toBe(true);
  });

  it('marks the 30-day budget window, past the ledger, insufficient-retention with null figures', () => {
    expect(slo('PledgeApiAvailability').errorBudget).toMatchObject({
      left: null,
      source: 'insufficient-retention',
      coverageSeconds: null,
      events: null,
    });
    expect(slo('PledgeApiAvailability').errorBudget.reason).toMatch(/HEALTH_RETENTION.*PROMETHEUS_URL/);
  });
});
