/// <reference lib="dom" />
// The Scaling view in headless Chromium against `pulse start --demo` (embedded database, 2,000 demo users
// plus the synthetic traffic's registrations), signed in as the operator: the phase shown is the API's, the
// PostgreSQL item is "todo" on the embedded database, a manual item recorded through the page's form is
// stored (and an empty "recorded by" is refused with the collector's own message, writing nothing), the
// checklist exports as CSV, and the thresholds table reads the alert rules from the catalog.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ScalingItemView, ScalingReport } from '../../collector/scaling/scaling-types.ts';
import { type RunningPulse, startPulse } from '../support/pulse-start.ts';
import { type Browser, describeInBrowser, launchBrowser, screenshot, signIn } from './support/browser.ts';

interface RecordsAnswer {
  readonly records: readonly { done: boolean; recordedBy: string; note: string | null }[];
}

describeInBrowser('dashboard scaling view', () => {
  let pulse: RunningPulse;
  let browser: Browser;
  let page: Page;

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${pulse.collectorUrl}${path}`, {
      headers: { authorization: `Bearer ${pulse.tokens.operator}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  async function apiItem(id: string): Promise<ScalingItemView | undefined> {
    const report = await api<ScalingReport>('/api/scaling');
    return report.phases.flatMap((phase) => phase.items).find((item) => item.id === id);
  }

  const row = (table: string, text: string) =>
    page.locator(`[data-table="${table}"] tbody tr`, { hasText: text });
  const cells = (table: string, text: string) => row(table, text).locator('td').allTextContents();
  const cdnForm = () => page.getByRole('form', { name: 'Record CDN for static assets' });

  beforeAll(async () => {
    [pulse, browser] = await Promise.all([startPulse(), launchBrowser()]);
    page = await browser.newPage();
    await signIn(page, pulse.collectorUrl, pulse.tokens.operator, '#/scaling');
    await page.locator('[data-current-phase]').waitFor();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await pulse?.cleanup();
  });

  it('shows the phase the API reports, with its range, cost band and the users to go', async () => {
    const report = await api<ScalingReport>('/api/scaling');
    // The demo seeds 2,000 users; the synthetic traffic only adds registrations: phase 2 (1,000–10,000).
    expect(report.phase.number).toBe(2);
    expect(report.users).toBeGreaterThanOrEqual(2_000);
    const card = page.locator('[data-current-phase]');
    expect(await card.getAttribute('data-current-phase')).toBe('2');
    const text = await card.textContent();
    expect(text).toContain('Phase 2 · Growth');
    expect(text).toContain('1,000–10,000 users');
    expect(text).toContain('$50–500 / month');
    expect(Number(await page.locator('[data-users]').getAttribute('data-users'))).toBeGreaterThanOrEqual(
      2_000,
    );
    const milestone = page.locator('[data-milestone]');
    expect(await milestone.getAttribute('data-milestone')).toBe('10000');
    expect(await milestone.textContent()).toMatch(/of 10,000 users \(\d+\.\d %\) · [\d,]+ to go/);
  });

  it('shows the PostgreSQL item as todo, detected, on the embedded database', async () => {
    const [status, item, knownBy, evidence] = await cells('scaling-phase-1', 'PostgreSQL instead of');
    expect(status).toBe('○ todo');
    expect(item).toMatch(/^PostgreSQL instead of the embedded/);
    expect(knownBy).toBe('detected');
    expect(evidence).toMatch(/embedded database/);
    expect((await apiItem('postgresql'))?.status).toBe('todo');
  });

  it('refuses an empty "recorded by" with the collector\'s message beside the field and writes nothing', async () => {
    await cdnForm().getByLabel('Recorded by').fill('');
    await cdnForm().getByRole('button', { name: 'Record' }).click();
    const problem = cdnForm().getByRole('alert');
    await problem.waitFor();
    // The collector's 400 message, verbatim, tied to the field it names.
    expect(await problem.textContent()).toBe('recordedBy must not be empty');
    const field = cdnForm().getByLabel('Recorded by');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await field.getAttribute('aria-describedby')).toBe(await problem.getAttribute('id'));
    expect((await api<RecordsAnswer>('/api/scaling/items/cdn/records')).records).toEqual([]);
    expect((await apiItem('cdn'))?.status).toBe('todo');
  });

  it('records the CDN item from the page: shown as done with the name, and the API agrees', async () => {
    await cdnForm().getByLabel('Done?').selectOption('yes');
    await cdnForm().getByLabel('Recorded by').fill('Ada Operator');
    await cdnForm().getByLabel('Note (optional)').fill('assets served from the edge');
    await cdnForm().getByRole('button', { name: 'Record' }).click();
    await row('scaling-phase-2', 'CDN for static assets').filter({ hasText: '✓ done' }).waitFor();
    const [status, , knownBy, , recordedBy, when, note] = await cells(
      'scaling-phase-2',
      'CDN for static assets',
    );
    expect([status, knownBy, recordedBy, note]).toEqual([
      '✓ done',
      'recorded',
      'Ada Operator',
      'assets served from the edge',
    ]);
    expect(when).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(await cdnForm().getByRole('alert').count()).toBe(0);

    const item = await apiItem('cdn');
    expect(item).toMatchObject({
      status: 'done',
      recordedBy: 'Ada Operator',
      note: 'assets served from the edge',
    });
    const { records } = await api<RecordsAnswer>('/api/scaling/items/cdn/records');
    expect(records).toEqual([
      {
        done: true,
        recordedBy: 'Ada Operator',
        note: 'assets served from the edge',
        recordedAt: item?.recordedAt,
      },
    ]);

    // The history on demand shows the one record.
    await page.locator('[data-item="cdn"]').getByRole('button', { name: 'Show history' }).click();
    const history = page.locator('[data-table="scaling-history-cdn"] tbody tr');
    await history.first().waitFor();
    expect(await history.count()).toBe(1);
    expect(await history.first().locator('td').allTextContents()).toEqual([
      when,
      '✓ done',
      'Ada Operator',
      'assets served from the edge',
    ]);
  });

  it('exports the checklist as CSV with the plain status and the recorded time', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Phase 2 items as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('scaling-phase-2.csv');
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Status,Item,Known by,Evidence,Recorded by,When,Note,Why it matters');
    // 5 phase-2 items: multiple instances, Redis, load test, CDN, load balancer.
    expect(lines).toHaveLength(6);
    const cdn = lines.find((line) => line.includes('CDN for static assets'));
    expect(cdn).toMatch(/^done,CDN for static assets,recorded,.*,Ada Operator,\d{4}-\d{2}-\d{2}T[\d:.]+Z,/);
  });

  it('lists the alert rules with readable thresholds, EmbeddedDatabaseTooManyUsers at 100 users', async () => {
    expect(await cells('alert-thresholds', 'EmbeddedDatabaseTooManyUsers')).toEqual([
      'EmbeddedDatabaseTooManyUsers',
      'warning',
      'users > 100',
      '5 min',
      'operator and founder',
    ]);
    expect((await cells('alert-thresholds', 'UsersReached1K'))[2]).toBe('users ≥ 1,000');
    expect((await cells('alert-thresholds', 'ApiLatencyHigh'))[2]).toBe('API latency p95 > 500 ms');
    expect((await cells('alert-thresholds', 'HeapUsedHigh'))[2]).toBe('heap used > 1 GiB');
    // The operator's catalog leaves out the founder-only business rules, and the page says why.
    expect(await row('alert-thresholds', 'LogoChurnHigh').count()).toBe(0);
    expect(await page.getByText('Business alert rules (logo churn, conversion) are hidden').count()).toBe(1);
    await screenshot(page, 'scaling');
  });
});
