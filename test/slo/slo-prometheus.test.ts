// GET /api/slo the same both ways: one stand-in agent scraped every second by the collector's scraper and
// by a real Prometheus; a second collector with PROMETHEUS_URL answers from Prometheus's `increase`. The
// SLIs and burn rates agree; Prometheus also has the windows the scraper keeps too little of.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningCollector } from '../../collector/server.ts';
import type { SloReport } from '../../collector/slo/slo-report.ts';
import { getJson, startTestCollector } from '../support/collector.ts';
import {
  describeWithPrometheus,
  type RunningPrometheus,
  startPrometheus,
} from '../support/prometheus-server.ts';
import { type StubAgent, startStubAgent, waitUntil } from './slo-stub-agent.ts';

describeWithPrometheus('GET /api/slo from Prometheus and from the scraper', () => {
  let agent: StubAgent;
  let prometheus: RunningPrometheus;
  let fromScraper: RunningCollector;
  let fromPrometheus: RunningCollector;
  let dir: string;
  let scraped: SloReport;
  let promReport: SloReport;

  beforeAll(async () => {
    agent = await startStubAgent();
    dir = await mkdtemp(join(tmpdir(), 'pulse-slo-prom-'));
    const target = new URL(agent.metricsUrl);
    const config = join(dir, 'prometheus.yml');
    await writeFile(
      config,
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: agent\n    metrics_path: ${target.pathname}\n    static_configs:\n      - targets: ['${target.host}']\n`,
    );
    prometheus = await startPrometheus(config);
    fromScraper = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      { health: { agentMetricsUrls: [agent.metricsUrl], scrapeIntervalMs: 1_000, retentionMs: 3_600_000 } },
    );
    fromPrometheus = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      {
        health: {
          agentMetricsUrls: [],
          prometheusUrl: prometheus.url,
          scrapeIntervalMs: 1_000,
          retentionMs: 3_600_000,
        },
      },
    );
    // Both have the zero baseline before the jump: Prometheus's increase() counts growth between samples.
    await prometheus.waitFor('count_over_time(http_server_request_duration_count[1m]) >= 3');
    agent.release();
    await prometheus.waitFor('http_server_request_duration_count > 0');
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // a few samples after the jump
    const released = agent.scrapes();
    await waitUntil(() => agent.scrapes() >= released + 2);
    [scraped, promReport] = await Promise.all([
      getJson(fromScraper, '/api/slo', 'operator').then((r) => r.body as SloReport),
      getJson(fromPrometheus, '/api/slo', 'operator').then((r) => r.body as SloReport),
    ]);
  }, 60_000);

  afterAll(async () => {
    await fromScraper?.stop();
    await fromPrometheus?.stop();
    await prometheus?.stop();
    await agent?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives the same SLI and burn rate per SLO and window as the scraper', () => {
    expect(promReport.source).toBe('prometheus');
    for (const mine of scraped.slos) {
      const theirs = promReport.slos.find((s) => s.id === mine.id);
      expect(theirs?.sli.value).toBeCloseTo(mine.sli.value as number, 6);
      for (const window of mine.burnRates.filter((w) => w.source === 'scrape')) {
        const other = theirs?.burnRates.find((w) => w.window === window.window);
        expect(other?.source).toBe('prometheus');
        expect(other?.burnRate, `${mine.id} ${window.window}`).toBeCloseTo(window.burnRate as number, 6);
      }
      expect(theirs?.alerts.map((a) => a.wouldFire).slice(0, 1)).toEqual(
        mine.alerts.map((a) => a.wouldFire).slice(0, 1),
      );
    }
    const availability = promReport.slos.find((s) => s.id === 'PledgeApiAvailability');
    expect(availability?.burnRates[0]?.burnRate).toBeCloseTo(12, 6);
  });

  it("answers from Prometheus the windows past the collector's retention, budget included", () => {
    const availability = promReport.slos.find((s) => s.id === 'PledgeApiAvailability');
    const threeDays = availability?.burnRates.find((w) => w.window === '3d');
    expect(threeDays).toMatchObject({ source: 'prometheus' });
    expect(threeDays?.burnRate).toBeCloseTo(12, 6);
    // 12 bad of 1000 against a budget of 1 in 1000: 11 budgets overspent.
    expect(availability?.errorBudget.left).toBeCloseTo(1 - 12, 6);
  });
});
