/// <reference lib="dom" />
// The Business view in headless Chromium against `pulse start --demo`: for the founder every chart draws a
// point per period, the KPI table, LTV and cohort heatmap show what the API answers for the same range, and
// the KPI table's CSV has a row per period; the operator gets the explanation, no money, and the browser
// never asks for a founder-only route. The demo data is written before the start (the same as --demo
// writes), with one month's cancels marked as estimated by the legacy SQLite import (the shared system,
// ./support/shared-pulse.ts): the churn chart's data-quality note gives the API's count for a range holding
// that month, and is absent for one without.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CohortReport, KpiReport, LtvReport } from '../../dashboard/src/lib/api-types.ts';
import { formatCents, formatCount, formatRatio } from '../../dashboard/src/lib/format.ts';
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
  let pulse: SharedPulse;
  let browser: Browser;
  // Twelve complete months of demo data and the current month so far: thirteen monthly periods.
  const from = monthStart(-12);
  const to = monthStart(1);
  const hash = `#/business?from=${from}&to=${to}&interval=month`;

  beforeAll(async () => {
    pulse = sharedPulse();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
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

    // The churn chart's data-quality note: the API's count of churn movements on estimated instants.
    const estimated = kpis.periods.reduce((sum, period) => sum + period.estimatedChurnMovements, 0);
    const estimatedPeriods = kpis.periods.filter((period) => period.estimatedChurnMovements > 0);
    expect(estimated).toBeGreaterThan(1);
    expect(estimatedPeriods.map((period) => period.periodStart.slice(0, 10))).toEqual([
      pulse.estimatedChurnMonth,
    ]);
    const note = page.locator('[data-card="business-churn"] [data-note="estimated-churn"]');
    expect(await note.getAttribute('data-movements')).toBe(String(estimated));
    const noteText = (await note.textContent())?.replace(/\s+/g, ' ');
    expect(noteText).toContain(
      `${estimated.toLocaleString('en-US')} churn movements in this range (${pulse.estimatedChurnMonth.slice(0, 7)}) rest ` +
        'on estimated cancellation dates',
    );
    expect(noteText).toContain('old Pledgr SQLite file, which never recorded when a pledge was cancelled');
    expect(noteText).toContain('See “Churn movements on estimated dates” per period in the table below.');

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
    // Per period, in the table: the estimated month and the one before it.
    const estimatedColumn = column('Churn movements on estimated dates');
    expect(estimatedColumn).toBeGreaterThan(0);
    for (const index of [kpis.periods.length - 5, kpis.periods.length - 4]) {
      const cells = await table.locator('tbody tr').nth(index).locator('td').allInnerTexts();
      expect(cells[estimatedColumn]).toBe(
        formatCount(kpis.periods[index]?.estimatedChurnMovements ?? -1).text,
      );
    }
    expect(kpis.periods[kpis.periods.length - 4]?.estimatedChurnMovements).toBe(estimated);
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
    const csvEstimated = lines[0]?.split(',').indexOf('Churn movements on estimated dates') ?? -1;
    expect(csvEstimated).toBeGreaterThan(0);
    expect(lines.slice(1).map((line) => Number(line.split(',')[csvEstimated]))).toEqual(
      kpis.periods.map((period) => period.estimatedChurnMovements),
    );

    await screenshot(page, 'business-founder');
    await page.close();
  });

  it('shows no estimated-churn note for a range whose churn rests on recorded cancels only', async () => {
    const page = await browser.newPage();
    const [from, to] = [monthStart(-2), monthStart(1)];
    await signIn(
      page,
      pulse.collectorUrl,
      pulse.tokens.founder,
      `#/business?from=${from}&to=${to}&interval=month`,
    );
    const kpis = await founderGet<KpiReport>(`/api/kpis?from=${from}&to=${to}&interval=month`);
    expect(kpis.periods).toHaveLength(3);
    expect(kpis.periods.map((period) => period.estimatedChurnMovements)).toEqual([0, 0, 0]);
    expect(kpis.periods.some((period) => period.churnedPledgers > 0)).toBe(true);
    await waitForChart(page, 'business-churn', 3);
    await page.locator('[data-table="business-kpis"] tbody tr').first().waitFor();
    await expect(page.locator('[data-note="estimated-churn"]').count()).resolves.toBe(0);
    await expect(page.locator('[data-card="business-churn"]').textContent()).resolves.not.toContain(
      'estimated',
    );
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
