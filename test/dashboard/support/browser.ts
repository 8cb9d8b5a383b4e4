/// <reference lib="dom" />
// Headless Chromium for the dashboard tests: Debian's package driven by playwright-core, with the flags
// that keep it quiet on a closed network (../shared/STACK.md). Missing Chromium skips the suites with the
// reason printed, and fails them in CI (.ci/run installs it). Screenshots go to test-artifacts/dashboard/.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../support/chromium.ts';
import { inCi } from '../../support/postgres.ts';

export const artifactsDir = fileURLToPath(new URL('../../../test-artifacts/dashboard/', import.meta.url));
export const dashboardBuilt = existsSync(
  fileURLToPath(new URL('../../../dashboard/dist/index.html', import.meta.url)),
);

/** Why the browser suites cannot run here, or null. */
export const browserUnavailable = !existsSync(chromiumPath)
  ? `Chromium not found at ${chromiumPath} (apt-get install chromium)`
  : !dashboardBuilt
    ? 'the dashboard is not built (npm run build:dashboard)'
    : null;

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
