/// <reference lib="dom" />
// Live health's "Service-level objectives" section in headless Chromium against `pulse start --demo` (the one
// the dashboard suites share, ./support/shared-pulse.ts), with 20 % of the pledge API's /api/pledges answers
// turned into 500s (FAULT_ERROR_RATE), so budgets really burn:
// every figure shown is the one GET /api/slo answered to the page (SLI, burn rate per window, each burn-rate
// alert's page/ticket severity and whether it would fire), the 30-day budget the collector cannot measure
// shows its reason instead of a number, the section fits a 390 px phone screen without sideways scrolling,
// and it is behind the token (401 without; the founder, who sees everything, sees it too).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SloReport } from '../../collector/slo/slo-report.ts';
import {
  type Browser,
  describeInBrowser,
  launchBrowser,
  type SharedPulse,
  screenshot,
  sharedPulse,
  signIn,
} from './support/browser.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A burn rate as the panel writes it, worked out here on its own. */
function burnText(rate: number | null): string {
  if (rate === null) return '—';
  return `${rate < 10 ? rate.toFixed(2) : rate < 100 ? rate.toFixed(1) : rate.toFixed(0)}×`;
}

const percent = (ratio: number | null, digits: number) =>
  ratio === null ? '—' : `${(ratio * 100).toFixed(digits)} %`;

/** Signs in on Live health and returns the GET /api/slo body the page itself received. */
async function openLiveHealth(page: Page, pulse: SharedPulse, token: string): Promise<SloReport> {
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/slo', { timeout: 60_000 });
  await signIn(page, pulse.collectorUrl, token, '#/health');
  const response = await answered;
  expect(response.status()).toBe(200);
  const body = (await response.json()) as SloReport;
  await page.locator(`[data-slo-report="${body.generatedAt}"]`).waitFor();
  return body;
}

describeInBrowser('dashboard live health: service-level objectives', () => {
  let pulse: SharedPulse;
  let browser: Browser;

  const slo = async (token?: string) =>
    fetch(`${pulse.collectorUrl}/api/slo`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    pulse = sharedPulse();
    browser = await launchBrowser();
    // Until the collector has counted a pledge write that failed: every budget has something to say.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const report = (await (await slo(pulse.tokens.operator)).json()) as SloReport;
      const writes = report.slos.find((s) => s.id === 'PledgeWrites');
      if ((writes?.burnRates[0]?.burnRate ?? 0) > 0) break;
      if (Date.now() > deadline) throw new Error(`no pledge-write burn counted: ${JSON.stringify(report)}`);
      await sleep(1_000);
    }
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows for every objective the SLI, the burn rate per window and the alerts GET /api/slo answered', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    const report = await openLiveHealth(page, pulse, pulse.tokens.operator);
    expect(report.slos.map((s) => s.id)).toEqual([
      'PledgeApiAvailability',
      'PledgeApiLatency',
      'PledgeWrites',
    ]);

    for (const figures of report.slos) {
      const card = page.locator(`[data-slo="${figures.id}"]`);
      await expect(card.locator('h3').textContent()).resolves.toBe(figures.id);
      await expect(card.locator('[data-slo-figure="sli"] dd').textContent()).resolves.toBe(
        percent(figures.sli.value, 2),
      );
      await expect(card.locator('[data-slo-figure="objective"] dd').textContent()).resolves.toBe(
        percent(figures.objective, 2),
      );
      const table = card.locator(`[data-slo-burn="${figures.id}"]`);
      expect(await table.locator('tbody tr[data-window] th').count()).toBe(7);
      for (const window of figures.burnRates) {
        const row = table.locator(`tr[data-window="${window.window}"]`);
        await expect(
          row.locator('[data-burn]').textContent(),
          `${figures.id} ${window.window}`,
        ).resolves.toBe(burnText(window.burnRate));
        await expect(row.getAttribute('data-source')).resolves.toBe(window.source);
        if (window.reason !== null)
          await expect(
            card.locator(`[data-window-note="${window.window}"] [data-reason]`).textContent(),
          ).resolves.toContain(window.reason);
      }
      for (const alert of figures.alerts) {
        const item = card.locator(`[data-alert="${alert.alertname}"]`);
        await expect(item.getAttribute('data-severity')).resolves.toBe(alert.severity);
        await expect(item.locator('.badge').textContent()).resolves.toBe(
          alert.severity === 'page' ? 'Page' : 'Ticket',
        );
        const verdict = alert.wouldFire === null ? 'unknown' : alert.wouldFire ? 'fires' : 'quiet';
        await expect(item.getAttribute('data-verdict'), alert.alertname).resolves.toBe(verdict);
        await expect(item.locator('[data-alert-burn]').textContent()).resolves.toBe(
          alert.burn === null ? '—' : burnText(alert.burn),
        );
      }
    }
    // The injected failures make a pledge-write page fire; the latency objective stays quiet: both shown.
    const alerts = report.slos.flatMap((s) => s.alerts);
    expect(alerts.some((a) => a.severity === 'page' && a.wouldFire === true)).toBe(true);
    expect(alerts.some((a) => a.wouldFire === false)).toBe(true);
    await expect(
      page.locator('[data-alert="PledgeWritesBudgetBurnFast"] [data-verdict-text]').textContent(),
    ).resolves.toBe('would fire');

    // Phone width: the whole Live health page, SLO cards included, without sideways scrolling.
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      cards: Array.from(document.querySelectorAll('[data-slo]')).map(
        (card) => card.getBoundingClientRect().right,
      ),
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    for (const right of widths.cards) expect(right).toBeLessThanOrEqual(widths.viewport);
    await screenshot(page, 'slo-panel-phone');
    await page.close();
  });

  it('shows the reason, never a number, for the 30-day budget the collector cannot measure', async () => {
    const page = await browser.newPage();
    const report = await openLiveHealth(page, pulse, pulse.tokens.operator);
    for (const figures of report.slos) {
      expect(figures.errorBudget).toMatchObject({ source: 'insufficient-retention', left: null });
      const card = page.locator(`[data-slo="${figures.id}"]`);
      await expect(card.locator('[data-slo-figure="budget"] dd').textContent()).resolves.toMatch(/^—/);
      await expect(card.locator('[data-slo-budget-reason]').textContent()).resolves.toBe(
        `not measured: ${figures.errorBudget.reason}`,
      );
    }
    await screenshot(page, 'slo-panel');
    await page.close();
  });

  it('is behind the token: 401 without one; the founder, who sees everything, sees the same objectives', async () => {
    expect((await slo()).status).toBe(401);
    const page = await browser.newPage();
    const report = await openLiveHealth(page, pulse, pulse.tokens.founder);
    await expect(
      page.locator('[data-slo]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-slo'))),
    ).resolves.toEqual(report.slos.map((s) => s.id));
    await page.close();
  });
});
