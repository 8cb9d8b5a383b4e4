/// <reference lib="dom" />
// Dashboard budgets. (1) Size: builds the dashboard with Vite's build() (what `npm run build:dashboard`
// runs) and gzips every file in dashboard/dist/assets one by one, as a browser would fetch them (zlib's
// default level). Views are loaded on demand, so the budget (100 KB, 1 KB = 1,000 bytes as Vite reports)
// applies to what one page load downloads: the shell plus a view with everything it imports, added up
// from Vite's manifest — the heaviest view is the figure; the total of all JavaScript is printed too. (2) Time to the first chart with data: `pulse start --demo` on loopback (as the dashboard tests run
// it), then headless Chromium opens #/business, signs in through the form with the founder token, and the
// time is taken from navigation start to the first canvas whose data-drawn (points drawn, set by the chart
// plugin) is above 0 — measured in the page by a MutationObserver, so the driver's round trips do not count.
// Each load is cold: a new browser context (empty cache and session storage, hence the sign-in) and a new
// page. One untimed load per view comes first, so the collector's first KPI computation and the health
// buffer filling up are not charged to the page; then the median of 3 for #/business and #/health. When
// Chromium is missing, the benchmark is skipped with the reason (and the sizes it did measure).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { chromiumArgs, chromiumPath } from '../test/support/chromium.ts';
import { type RunningPulse, startPulse } from '../test/support/pulse-start.ts';
import { type Benchmark, median, SkipBenchmark } from './harness.ts';

const jsBudgetBytes = 100_000;
const coldLoads = 3;
const chartTimeoutMs = 60_000;
const views = ['#/business', '#/health'] as const;
const viteConfig = fileURLToPath(new URL('../dashboard/vite.config.ts', import.meta.url));
const assetsDir = fileURLToPath(new URL('../dashboard/dist/assets/', import.meta.url));

interface ManifestChunk {
  readonly file: string;
  readonly imports?: readonly string[];
  readonly isEntry?: boolean;
  readonly isDynamicEntry?: boolean;
}

interface Sizes {
  /** All JavaScript of the build, gzip. */
  readonly allJsGzip: number;
  readonly jsFiles: number;
  /** What the first page load downloads (the entry and its static imports), gzip. */
  readonly entryJsGzip: number;
  /** What showing each view downloads in all (entry + the view's chunk + their static imports), gzip. */
  readonly viewJsGzip: ReadonlyMap<string, number>;
  readonly cssGzip: number;
}

const distDir = fileURLToPath(new URL('../dashboard/dist/', import.meta.url));

/** Each chunk's file and the files it statically imports, transitively (Vite's manifest). */
function closure(
  manifest: Record<string, ManifestChunk>,
  key: string,
  seen = new Set<string>(),
): Set<string> {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const imported of chunk.imports ?? []) closure(manifest, imported, seen);
  return seen;
}

async function measureSizes(): Promise<Sizes> {
  const gzipOf = new Map<string, number>();
  let cssGzip = 0;
  for (const name of await readdir(assetsDir)) {
    const content = await readFile(`${assetsDir}${name}`);
    if (name.endsWith('.js')) gzipOf.set(`assets/${name}`, gzipSync(content).length);
    else if (name.endsWith('.css')) cssGzip += gzipSync(content).length;
  }
  if (gzipOf.size === 0) throw new Error(`no JavaScript in ${assetsDir} after the build`);
  const manifest = JSON.parse(await readFile(`${distDir}.vite/manifest.json`, 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const total = (files: Set<string>) => [...files].reduce((sum, file) => sum + (gzipOf.get(file) ?? 0), 0);
  const entry = Object.keys(manifest).find((key) => manifest[key]?.isEntry) as string;
  const entryFiles = closure(manifest, entry);
  const viewJsGzip = new Map<string, number>();
  for (const [key, chunk] of Object.entries(manifest)) {
    if (!chunk.isDynamicEntry) continue;
    const name = key.replace(/^.*\/(\w+)\.svelte$/, '$1');
    viewJsGzip.set(name, total(closure(manifest, key, new Set(entryFiles))));
  }
  return {
    allJsGzip: [...gzipOf.values()].reduce((sum, size) => sum + size, 0),
    jsFiles: gzipOf.size,
    entryJsGzip: total(entryFiles),
    viewJsGzip,
    cssGzip,
  };
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

function describeSizes(sizes: Sizes, buildSeconds: number): string {
  const views = [...sizes.viewJsGzip].sort((a, b) => b[1] - a[1]);
  const [heaviestName, heaviest] = views[0] ?? ['none', 0];
  return (
    `JS per page load, gzip: sign-in/shell ${kb(sizes.entryJsGzip)}, heaviest view (${heaviestName}) ` +
    `${kb(heaviest)} = ${(heaviest / jsBudgetBytes).toFixed(2)}× of the ${jsBudgetBytes / 1000} KB budget ` +
    `[${views.map(([name, size]) => `${name} ${kb(size)}`).join(', ')}]; all JS ${kb(sizes.allJsGzip)} in ` +
    `${sizes.jsFiles} files; CSS ${kb(sizes.cssGzip)} gzip; built in ${buildSeconds.toFixed(1)} s`
  );
}

type Probed = Window & { pulseFirstChart?: number; pulseSignIn?: number };

/** Runs in the page before its scripts: notes when the sign-in is submitted and when a chart first drew data. */
function installFirstChartProbe(): void {
  const probed = window as Probed;
  document.addEventListener('submit', () => {
    probed.pulseSignIn ??= performance.now();
  });
  const observer = new MutationObserver(() => {
    const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas[data-drawn]'));
    if (canvases.some((canvas) => Number(canvas.dataset.drawn) > 0)) {
      probed.pulseFirstChart = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { subtree: true, attributes: true, attributeFilter: ['data-drawn'] });
}

interface FirstChart {
  /** From navigation start, ms. */
  readonly fromNavigation: number;
  /** From the sign-in form's submission, ms. */
  readonly fromSignIn: number;
}

async function timeFirstChart(browser: Browser, pulse: RunningPulse, hash: string): Promise<FirstChart> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  try {
    await context.addInitScript(installFirstChartProbe);
    const page = await context.newPage();
    await page.goto(`${pulse.collectorUrl}/${hash}`);
    await page.getByLabel('Access token').fill(pulse.tokens.founder);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const drawn = await page
      .waitForFunction(
        () => {
          const probed = window as Probed;
          return probed.pulseFirstChart === undefined
            ? null
            : { chart: probed.pulseFirstChart, signIn: probed.pulseSignIn ?? 0 };
        },
        undefined,
        { timeout: chartTimeoutMs },
      )
      .catch(() => {
        throw new Error(`${hash}: no chart drew data within ${chartTimeoutMs / 1000} s of signing in`);
      });
    const { chart, signIn } = (await drawn.jsonValue()) as { chart: number; signIn: number };
    return { fromNavigation: chart, fromSignIn: chart - signIn };
  } finally {
    await context.close();
  }
}

async function measureFirstCharts(): Promise<string> {
  const [pulse, browser] = await Promise.all([
    startPulse(),
    chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [...chromiumArgs],
    }),
  ]);
  try {
    const figures: string[] = [];
    for (const hash of views) {
      await timeFirstChart(browser, pulse, hash);
      const samples: FirstChart[] = [];
      for (let i = 0; i < coldLoads; i++) samples.push(await timeFirstChart(browser, pulse, hash));
      const fromNavigation = median(samples.map((sample) => sample.fromNavigation));
      const fromSignIn = median(samples.map((sample) => sample.fromSignIn));
      const all = samples.map((sample) => Math.round(sample.fromNavigation)).join('/');
      figures.push(
        `${hash} ${Math.round(fromNavigation)} ms (${Math.round(fromSignIn)} ms after signing in; runs ${all})`,
      );
    }
    return `first chart with data, median of ${coldLoads} cold loads from navigation start: ${figures.join(', ')}`;
  } finally {
    await browser.close();
    await pulse.cleanup();
  }
}

export const dashboardBenchmark: Benchmark = {
  name: 'dashboard',
  async run() {
    const started = performance.now();
    await build({ configFile: viteConfig, logLevel: 'warn' });
    const sizes = describeSizes(await measureSizes(), (performance.now() - started) / 1000);
    if (!existsSync(chromiumPath)) {
      throw new SkipBenchmark(`Chromium not found at ${chromiumPath} (apt-get install chromium); ${sizes}`);
    }
    return `dashboard ${sizes}; ${await measureFirstCharts()}`;
  },
};
