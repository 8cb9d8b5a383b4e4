/// <reference lib="dom" />
// Headless Chromium for the dashboard tests: Debian's package driven by playwright-core, with the flags
// that keep it quiet on a closed network (../shared/STACK.md). Missing Chromium skips the suites with the
// reason printed, and fails them in CI (.ci/run installs it). Screenshots go to test-artifacts/dashboard/.
// The suites share one `pulse start --demo` (./shared-pulse.ts, their vitest globalSetup): sharedPulse().
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, inject } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../support/chromium.ts';
import { inCi } from '../../support/postgres.ts';
import { artifactsDir, browserUnavailable } from './availability.ts';

export { artifactsDir, browserUnavailable, dashboardBuilt } from './availability.ts';

/** Where the shared system answers and its tokens: what a suite may use of it (it cannot stop it). */
export interface SharedPulse {
  readonly collectorUrl: string;
  readonly apiUrl: string;
  readonly tokens: { readonly founder: string; readonly operator: string };
  /** The month (YYYY-MM-01) whose cancels the data marks as estimated by the legacy SQLite import. */
  readonly estimatedChurnMonth: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** null when the browser suites are skipped here (no Chromium or no built dashboard, outside CI). */
    pulse: SharedPulse | null;
  }
}

/** The `pulse start --demo` every dashboard suite shares; call it inside a hook or test. */
export function sharedPulse(): SharedPulse {
  const pulse = inject('pulse');
  if (!pulse) throw new Error('no shared pulse start --demo: run through vitest.config.ts (dashboard-e2e)');
  return pulse;
}

/** A describe that needs Chromium and the built dashboard: skipped with the reason, failed in CI. */
export function describeInBrowser(name: string, suite: () => void): void {
  if (browserUnavailable && !inCi) {
    console.warn(`[skipped] ${name}: ${browserUnavailable}`);
    describe.skip(name, suite);
    return;
  }
  describe(name, suite);
}

export interface Browser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBrowser(colorScheme: 'light' | 'dark' = 'light'): Promise<Browser> {
  if (browserUnavailable) throw new Error(browserUnavailable);
  const profile = await mkdtemp(join(tmpdir(), 'pulse-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1366, height: 900 },
    colorScheme,
    args: [...chromiumArgs],
  });
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the form, as a person does, and waits for the header. */
export async function signIn(page: Page, baseUrl: string, token: string, hash = '#/overview'): Promise<void> {
  await page.goto(`${baseUrl}/${hash}`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
}

/** Saves a full-page screenshot as test-artifacts/dashboard/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Waits until the chart canvas `name` (data-chart attribute) has drawn at least `minPoints` points, and
 * returns how many; also checks the canvas holds non-transparent pixels, i.e. it really drew.
 */
export async function waitForChart(page: Page, name: string, minPoints = 1): Promise<number> {
  const canvas = page.locator(`canvas[data-chart="${name}"]`);
  await canvas.waitFor();
  await page.waitForFunction(
    ([selector, min]) =>
      Number(document.querySelector<HTMLCanvasElement>(selector as string)?.dataset.drawn ?? 0) >=
      (min as number),
    [`canvas[data-chart="${name}"]`, minPoints] as const,
    { timeout: 30_000 },
  );
  const painted = await canvas.evaluate((element: HTMLCanvasElement) => {
    const context = element.getContext('2d');
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, element.width, element.height);
    let opaque = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) opaque += 1;
    return opaque;
  });
  if (painted < 100) throw new Error(`chart ${name} drew only ${painted} pixels`);
  return Number(await canvas.getAttribute('data-drawn'));
}
