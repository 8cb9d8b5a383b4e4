/// <reference lib="dom" />
// The Overview, Live health and Alerts views in headless Chromium against `pulse start --demo`: every health
// chart draws and the requests/s chart moves with live ticks; the figures shown are the API's; the operator
// sees no revenue and is told why, the founder sees the API's MRR; the demo's embedded-database alert is
// listed with its actions; and a collector that stops answering (the page's connections to it refused: the
// system is shared with the other dashboard suites, so it keeps running) shows the error state with a retry
// countdown.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlertStatus } from '../../collector/alerts/types.ts';
import type { HealthResponse, RolloutWalk } from '../../collector/health/rollout.ts';
import type { HealthReport } from '../../collector/health/types.ts';
import type { KpiReport } from '../../core/kpi/types.ts';
import {
  type Browser,
  describeInBrowser,
  launchBrowser,
  type SharedPulse,
  screenshot,
  sharedPulse,
  signIn,
  waitForChart,
} from './support/browser.ts';

const healthCharts = [
  'health-rps',
  'health-errors',
  'health-latency',
  'health-db-p95',
  'health-pool',
  'health-memory',
  'health-event-loop',
];

/** The dashboard's default KPI range (the last 12 months, monthly), worked out independently. */
function defaultRangeQuery(): string {
  const now = new Date();
  const month = (offset: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
  return `from=${month(-11)}&to=${month(1)}&interval=month`;
}

/** Money as the dashboard shows it: whole amounts of 1,000 or more without cents. */
function usd(cents: number): string {
  const whole = Number.isInteger(cents / 100) && Math.abs(cents) >= 100_000;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(cents / 100);
}

const drawn = (page: Page, name: string) =>
  page.locator(`canvas[data-chart="${name}"]`).evaluate((canvas) => Number(canvas.dataset.drawn ?? 0));

describeInBrowser('dashboard overview, live health and alerts', () => {
  let pulse: SharedPulse;
  let browser: Browser;
  let healthPage: Page;

  const api = async <T>(path: string, token: string): Promise<T> => {
    const response = await fetch(`${pulse.collectorUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    pulse = sharedPulse();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('live health draws every chart, moves with live ticks, and shows the figures GET /api/health answers', async () => {
    healthPage = await browser.newPage();
    await signIn(healthPage, pulse.collectorUrl, pulse.tokens.operator, '#/health');
    for (const name of healthCharts) await waitForChart(healthPage, name, 1);

    const before = await drawn(healthPage, 'health-rps');
    await healthPage.waitForTimeout(6_000);
    expect(await drawn(healthPage, 'health-rps')).toBeGreaterThan(before);

    const latest = healthPage.locator('[data-t]').first();
    const shownAt = Number(await latest.getAttribute('data-t'));
    const shownRps = await latest.locator('[data-latest="rps"] dd').textContent();
    const report = await api<HealthReport>('/api/health?window=15m', pulse.tokens.operator);
    const point = report.total.find((candidate) => candidate.t === shownAt);
    expect(point, `the tick shown (t=${shownAt}) is in the report`).toBeDefined();
    const rps = point?.requestsPerSecond as number;
    expect(shownRps).toBe(`${rps.toFixed(rps < 10 ? 2 : 1)}/s`);

    const ids = await healthPage
      .locator('[data-table="health-instances"] tbody tr td:first-child')
      .allTextContents();
    expect(ids).toEqual(report.instances.map((instance) => instance.instance));
    const up = report.instances.filter((instance) => instance.up).length;
    await expect(latest.locator('[data-latest="instances"] dd').textContent()).resolves.toBe(
      `${up} of ${report.instances.length}`,
    );
    expect(await healthPage.locator('[data-canary]').textContent()).toContain(
      report.canary ? report.canary.baseline : 'All instances run the same version',
    );

    // The rollout stepper walks the guide's steps of the suggested strategy, the API's current step marked,
    // with its verdict and next action; picking the other strategy shows the other walk (kept in the URL).
    const { rollout } = await api<HealthResponse>('/api/health?window=15m', pulse.tokens.operator);
    expect(rollout).not.toBeNull();
    const walks = { canary: rollout?.canary, 'blue-green': rollout?.blueGreen } as const;
    const stepper = healthPage.locator('[data-rollout]');
    for (const strategy of [
      rollout?.suggested ?? 'canary',
      rollout?.suggested === 'canary' ? 'blue-green' : 'canary',
    ] as const) {
      const walk = walks[strategy] as RolloutWalk;
      if (strategy !== rollout?.suggested) await healthPage.selectOption('#rollout-strategy', strategy);
      await healthPage.locator(`[data-rollout="${strategy}"]`).waitFor();
      expect(await stepper.locator('[data-step] .title').allTextContents()).toEqual(
        walk.steps.map((s) => s.title),
      );
      expect(await stepper.locator('[aria-current="step"]').getAttribute('data-step')).toBe(
        String(walk.currentStep),
      );
      expect(await stepper.getAttribute('data-rollout-verdict')).toBe(walk.verdict);
      expect(await stepper.locator('[data-rollout-summary]').textContent()).toBe(walk.summary);
      expect(await stepper.locator('[data-rollout-next]').textContent()).toBe(`Next: ${walk.nextAction}`);
    }
    expect(healthPage.url()).toContain(
      `strategy=${rollout?.suggested === 'canary' ? 'blue-green' : 'canary'}`,
    );
    await screenshot(healthPage, 'live-health');
  });

  it('overview for the operator shows no revenue, says why, and never asks for the KPI report', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await signIn(page, pulse.collectorUrl, pulse.tokens.operator, '#/overview');
    await page.locator('[data-kpi="usersAtEnd"]').waitFor();
    await page.locator('[data-health="rps"]').waitFor();
    await page.locator('[data-alert="EmbeddedDatabaseTooManyUsers"]').waitFor();

    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain('$');
    expect(text).toMatch(/Revenue figures .* are for the founder token/);
    expect(requested.filter((path) => path.startsWith('/api/kpis'))).toEqual([]);
    await screenshot(page, 'overview-operator');
    await page.close();
  });

  it("overview for the founder shows the API's MRR for the last complete period", async () => {
    const page = await browser.newPage();
    await signIn(page, pulse.collectorUrl, pulse.tokens.founder, '#/overview');
    const mrrTile = page.locator('[data-kpi="mrrEndCents"] [data-value]');
    await mrrTile.waitFor();
    await waitForChart(page, 'overview-trend', 2);

    const report = await api<KpiReport>(`/api/kpis?${defaultRangeQuery()}`, pulse.tokens.founder);
    const complete = report.periods.filter((p) => Date.parse(p.periodEnd) <= Date.parse(report.asOf));
    const last = complete.at(-1);
    expect(last).toBeDefined();
    await expect(mrrTile.textContent()).resolves.toBe(usd(last?.mrrEndCents as number));
    await screenshot(page, 'overview-founder');
    await page.close();
  });

  it("alerts lists the demo's EmbeddedDatabaseTooManyUsers with every action line, and the history", async () => {
    const page = await browser.newPage();
    await signIn(page, pulse.collectorUrl, pulse.tokens.operator, '#/alerts');
    const card = page.locator('article[data-alert="EmbeddedDatabaseTooManyUsers"]');
    await card.waitFor();
    const { active } = await api<{ active: AlertStatus[] }>('/api/alerts', pulse.tokens.operator);
    const alert = active.find((candidate) => candidate.alertname === 'EmbeddedDatabaseTooManyUsers');
    expect(alert?.state).toMatch(/pending|firing/);
    const cardText = (await card.textContent()) ?? '';
    expect(cardText).toContain(alert?.state);
    for (const step of alert?.action ?? []) expect(cardText).toContain(step);
    // No flapping: the card says how the alert stops (its resolve threshold from GET /api/alerts).
    expect(alert?.resolveThreshold).toBe(90);
    await expect(card.locator('[data-alert-stops]').textContent()).resolves.toContain(
      'Once firing, resolves at or below 90',
    );
    await page.locator('[data-table="alert-history"] tbody tr').first().waitFor();
    await screenshot(page, 'alerts');
    await page.close();
  });

  // Last: it cuts the Live health page off the collector (the page's new connections to /api/ refused).
  it('a collector that stops answering shows the error state with a retry countdown, not a blank page', async () => {
    await healthPage.bringToFront();
    await healthPage.route(
      (url) => url.pathname.startsWith('/api/'),
      (route) => route.abort('connectionrefused'),
    );
    await healthPage.getByLabel('Window', { exact: true }).selectOption('5m');
    const error = healthPage.locator('[data-state="error"]');
    await error.waitFor({ timeout: 10_000 });
    await expect(error.textContent()).resolves.toMatch(
      /The collector is not answering\..*Retrying in \d+ s/s,
    );
    await expect(healthPage.locator('canvas[data-chart="health-rps"]').count()).resolves.toBe(1);
    await screenshot(healthPage, 'collector-down');
  });
});
