/// <reference lib="dom" />
// The Overview and Alerts views on a 390 × 844 phone screen, in headless Chromium against the `pulse start
// --demo` the dashboard suites share: the page never scrolls sideways, the headline numbers and every
// active alert and history row are inside the screen (the history table turns into one card per row), the
// views' links and buttons are at least 40 px tall to tap, text stays at least 11 px, and the MRR chart
// shrinks with the window. For the operator and the founder; screenshots in test-artifacts/dashboard/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlertStatus } from '../../collector/alerts/types.ts';
import type { KpiReport } from '../../core/kpi/types.ts';
import { formatCents } from '../../dashboard/src/lib/format.ts';
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

const phone = { width: 390, height: 844 };

/** The dashboard's default KPI range (the last 12 months, monthly), worked out independently. */
function defaultRangeQuery(): string {
  const now = new Date();
  const month = (offset: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
  return `from=${month(-11)}&to=${month(1)}&interval=month`;
}

interface Fit {
  /** document.scrollingElement.scrollWidth and innerWidth. */
  readonly scrollWidth: number;
  readonly innerWidth: number;
  /** Visible links, buttons and fields in the header and main less than 40 px tall. */
  readonly smallTargets: readonly string[];
  /** Visible text less than 11 px (decorative marks hidden from screen readers aside). */
  readonly smallText: readonly string[];
}

/** How the page fits the screen: sideways overflow, tap targets and text size. */
function measureFit(page: Page): Promise<Fit> {
  return page.evaluate(() => {
    const visible = (element: Element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    };
    const targets = Array.from(
      document.querySelectorAll('header a, header button, main a, main button, main select, main input'),
    ).filter(visible);
    const texts = Array.from(document.querySelectorAll('main *')).filter(
      (element) =>
        visible(element) &&
        !element.closest('.visually-hidden, [aria-hidden="true"]') &&
        Array.from(element.childNodes).some((node) => node.nodeType === 3 && node.textContent?.trim()),
    );
    return {
      scrollWidth: document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
      innerWidth: window.innerWidth,
      smallTargets: targets
        .filter((target) => target.getBoundingClientRect().height < 40)
        .map(
          (target) =>
            `${target.tagName} "${target.textContent?.trim()}" ${target.getBoundingClientRect().height}px`,
        ),
      smallText: texts
        .filter((element) => Number.parseFloat(getComputedStyle(element).fontSize) < 11)
        .map((element) => `${element.tagName} "${element.textContent?.trim().slice(0, 40)}"`),
    };
  });
}

async function expectFits(page: Page): Promise<void> {
  const shown = await measureFit(page);
  expect(shown.scrollWidth, 'no sideways scrolling').toBeLessThanOrEqual(shown.innerWidth);
  expect(shown.smallTargets, 'tap targets under 40 px').toEqual([]);
  expect(shown.smallText, 'text under 11 px').toEqual([]);
}

/** The element's box lies within the screen's width (it may be further down the page). */
async function expectInsideWidth(page: Page, selector: string): Promise<void> {
  const boxes = await page
    .locator(selector)
    .evaluateAll((elements) =>
      elements.map((e) => [e.getBoundingClientRect().left, e.getBoundingClientRect().right]),
    );
  expect(boxes.length, selector).toBeGreaterThan(0);
  for (const [left, right] of boxes) {
    expect(left, selector).toBeGreaterThanOrEqual(0);
    expect(right, selector).toBeLessThanOrEqual(phone.width);
  }
}

describeInBrowser('dashboard overview and alerts at phone width (390 px)', () => {
  let pulse: SharedPulse;
  let browser: Browser;

  const api = async <T>(path: string, token: string): Promise<T> => {
    const response = await fetch(`${pulse.collectorUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  async function phonePage(token: string, hash: string): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize(phone);
    await signIn(page, pulse.collectorUrl, token, hash);
    return page;
  }

  beforeAll(async () => {
    pulse = sharedPulse();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('overview for the operator: the user count, health and alerts fit the screen, nothing scrolls sideways', async () => {
    const page = await phonePage(pulse.tokens.operator, '#/overview');
    const users = page.locator('[data-kpi="usersAtEnd"] [data-value]');
    await users.waitFor();
    await page.locator('[data-health="rps"]').waitFor();
    await page.locator('[data-alert="EmbeddedDatabaseTooManyUsers"]').waitFor();

    expect((await users.textContent())?.trim()).toMatch(/^\d{1,3}(,\d{3})*$/);
    await expectInsideWidth(page, '[data-kpi]');
    await expectInsideWidth(page, '[data-health]');
    await expectInsideWidth(page, 'li[data-alert]');
    await expectInsideWidth(page, 'nav[aria-label="Views"] a');
    await expectFits(page);
    await screenshot(page, 'overview-operator-phone');
    await page.close();
  });

  it("overview for the founder: the six KPI tiles two a row, the API's MRR, and the chart shrinks with the window", async () => {
    const page = await browser.newPage();
    await signIn(page, pulse.collectorUrl, pulse.tokens.founder, '#/overview');
    await waitForChart(page, 'overview-trend', 2);
    const canvas = page.locator('canvas[data-chart="overview-trend"]');
    const wide = (await canvas.boundingBox())?.width ?? 0;
    expect(wide).toBeGreaterThan(phone.width);

    await page.setViewportSize(phone);
    await page.waitForFunction(
      (width) => (document.querySelector('canvas[data-chart="overview-trend"]')?.clientWidth ?? 1e9) < width,
      phone.width,
    );
    await waitForChart(page, 'overview-trend', 2);
    await expectInsideWidth(page, 'canvas[data-chart="overview-trend"]');

    const tiles = page.locator('[data-kpi]');
    expect(await tiles.count()).toBe(6);
    const tops = await tiles.evaluateAll((elements) => elements.map((e) => e.getBoundingClientRect().top));
    expect(new Set(tops).size, 'two tiles a row').toBe(3);
    await expectInsideWidth(page, '[data-kpi] [data-value]');

    // The MRR tile: the API's, for the last complete period of the default range (the last 12 months).
    const report = await api<KpiReport>(`/api/kpis?${defaultRangeQuery()}`, pulse.tokens.founder);
    const last = report.periods.filter((p) => Date.parse(p.periodEnd) <= Date.parse(report.asOf)).at(-1);
    await expect(page.locator('[data-kpi="mrrEndCents"] [data-value]').textContent()).resolves.toBe(
      formatCents(last?.mrrEndCents ?? null, report.currency).text,
    );
    await expectFits(page);
    await screenshot(page, 'overview-founder-phone');
    await page.close();
  });

  it('alerts: every active alert with its steps, and each history row as a card inside the screen', async () => {
    for (const [role, token] of Object.entries(pulse.tokens)) {
      const page = await phonePage(token, '#/alerts');
      const card = page.locator('article[data-alert="EmbeddedDatabaseTooManyUsers"]');
      await card.waitFor();
      const rows = page.locator('[data-table="alert-history"] tbody tr');
      await rows.first().waitFor();

      const { active } = await api<{ active: AlertStatus[] }>('/api/alerts', token);
      const alert = active.find((candidate) => candidate.alertname === 'EmbeddedDatabaseTooManyUsers');
      const steps = await card.locator('ol li').allTextContents();
      expect(steps).toEqual(alert?.action);
      await expectInsideWidth(page, 'article[data-alert]');
      await expectInsideWidth(page, 'article[data-alert] ol li');

      // The history: no sideways scrolling inside its box either; every cell shown under its column's label.
      await expectInsideWidth(page, '[data-table="alert-history"] tbody td');
      const box = await page
        .locator('[data-table="alert-history"]')
        .evaluate((element) => ({ scroll: element.scrollWidth, client: element.clientWidth }));
      expect(box.scroll).toBeLessThanOrEqual(box.client);
      const label = await rows
        .first()
        .locator('td')
        .nth(1)
        .evaluate((cell) => getComputedStyle(cell, '::before').content);
      expect(label).toBe('"Alert"');
      await expect(rows.first().locator('td').nth(1).isVisible()).resolves.toBe(true);

      await expectFits(page);
      await screenshot(page, `alerts-${role}-phone`);
      await page.close();
    }
  });
});
