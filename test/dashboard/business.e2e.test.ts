/// <reference lib="dom" />
// The Business view in headless Chromium against `pulse start --demo`: for the founder every chart draws a
// point per period, the KPI table, LTV and cohort heatmap show what the API answers for the same range, and
// the KPI table's CSV has a row per period; the operator gets the explanation, no money, and the browser
// never asks for a founder-only route.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CohortReport, KpiReport, LtvReport } from '../../dashboard/src/lib/api-types.ts';
import { formatCents, formatCount, formatRatio } from '../../dashboard/src/lib/format.ts';
import { type RunningPulse, startPulse } from '../support/pulse-start.ts';
import {
  type Browser,
  describeInBrowser,
  launchBrowser,
  screenshot,
  signIn,
  waitForChart,
} from './support/browser.ts';

const charts = [
  'business-registrations',
  'business-conversion',
  'business-mrr',
  'business-arpu',
  'business-churn',
  'business-nrr',
];

function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

describeInBrowser('dashboard business view', () => {
  let pulse: RunningPulse;
  let browser: Browser;
  // Twelve complete months of demo data and the current month so far: thirteen monthly periods.
  const from = monthStart(-12);
  const to = monthStart(1);
  const hash = `#/business?from=${from}&to=${to}&interval=month`;

  beforeAll(async () => {
    [pulse, browser] = await Promise.all([startPulse(), launchBrowser()]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await pulse?.cleanup();
  });

  async function founderGet<T>(path: string): Promise<T> {
    const response = await fetch(`${pulse.collectorUrl}${path}`, {
      headers: { authorization: `Bearer ${pulse.tokens.founder}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  it('shows the founder every chart, the API numbers, the cohorts and a CSV of the KPI table', async () => {
    const page = await browser.newPage();
    await signIn(page, pulse.collectorUrl, pulse.tokens.founder, hash);
    const [kpis, cohorts, ltv] = await Promise.all([
      founderGet<KpiReport>(`/api/kpis?from=${from}&to=${to}&interval=month`),
      founderGet<CohortReport>(`/api/kpis/cohorts?from=${from}&to=${to}`),
      founderGet<LtvReport>('/api/kpis/ltv'),
    ]);
    expect(kpis.periods.length).toBe(13);
    for (const name of charts) {
      expect(await waitForChart(page, name, kpis.periods.length)).toBeGreaterThanOrEqual(kpis.periods.length);
    }
    await expect(page.locator('[data-note="conversion-immature"]').textContent()).resolves.toContain(
      'periods younger than 30 days may still convert',
    );

    // Closed, mature periods: the synthetic traffic of the demo only writes into the current month.
    const table = page.locator('[data-table="business-kpis"]');
    const headers = await table.locator('thead th').allTextContents();
    const column = (label: string) => headers.findIndex((text) => text.trim() === label);
    expect(await table.locator('thead th', { hasText: 'MRR at start' }).getAttribute('title')).toMatch(
      /recurring revenue at the start/,
    );
    const currency = kpis.currency;
    for (const index of [0, 6, kpis.periods.length - 4]) {
      const period = kpis.periods[index];
      if (!period) throw new Error(`no period ${index}`);
      expect(period.conversionMature).toBe(true);
      const cells = await table.locator('tbody tr').nth(index).locator('td').allInnerTexts();
      expect(cells[0]).toBe(period.periodStart.slice(0, 7));
      expect(cells[column('Registrations')]).toBe(formatCount(period.registrations).text);
      expect(cells[column('MRR')]).toBe(formatCents(period.mrrEndCents, currency).text);
      expect(cells[column('30-day conversion')]).toBe(formatRatio(period.conversionRate).text);
    }
    const ltvTile = page.locator('[data-tile="business-ltv"]');
    const ltvValue = (await ltvTile.locator('.value').textContent())?.trim();
    if (ltv.ltvCents === null) {
      expect(ltvValue).toMatch(/^—/);
      await expect(ltvTile.textContent()).resolves.toContain(ltv.reason);
    } else {
      expect(ltvValue).toBe(formatCents(ltv.ltvCents, currency).text);
      await expect(ltvTile.textContent()).resolves.toContain(
        `${ltv.sampleSize.toLocaleString('en-US')} pledger-months`,
      );
    }

    expect(cohorts.cohorts.length).toBeGreaterThan(10);
    await expect(page.locator('[data-table="business-cohorts"] tbody tr').count()).resolves.toBe(
      cohorts.cohorts.length,
    );
    const firstShare = cohorts.cohorts[0]?.months[0]?.pledgingShare ?? null;
    const firstCell = page.locator('[data-table="business-cohorts"] tbody tr').first().locator('td').nth(1);
    expect((await firstCell.textContent())?.trim()).toBe(formatRatio(firstShare, '', 0).text);
    await expect(page.locator('[data-table="business-artists"] tbody tr').count()).resolves.toBeGreaterThan(
      0,
    );

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      table.getByRole('button', { name: /Download .* as CSV/ }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('business-kpis.csv');
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.split('\r\n').filter((line) => line !== '');
    expect(lines.length - 1).toBe(kpis.periods.length);
    expect(lines[0]).toMatch(/^Period,Registrations,Users,/);
    expect(lines[1]?.split(',')[1]).toBe(String(kpis.periods[0]?.registrations));

    await screenshot(page, 'business-founder');
    await page.close();
  });

  it('tells the operator why revenue is hidden and never requests the founder routes', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await signIn(page, pulse.collectorUrl, pulse.tokens.operator, hash);
    await page.getByRole('heading', { name: 'Revenue figures are for the founder token' }).waitFor();
    await page.waitForTimeout(1_000);
    expect(requested).toContain('/api/session');
    expect(requested.filter((path) => path.startsWith('/api/kpis'))).toEqual([]);
    const text = await page.locator('body').textContent();
    expect(text).toContain('because they include revenue');
    expect(text).not.toContain('$');
    await expect(page.locator('canvas').count()).resolves.toBe(0);
    await screenshot(page, 'business-operator');
    await page.close();
  });
});
