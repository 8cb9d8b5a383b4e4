// Takes docs/images/dashboard.png, the README's screenshot: the Overview page signed in as founder, in
// headless Chromium (Debian's package through playwright-core, as the dashboard tests drive it).
//
//   node --import tsx docs/screenshot.ts
//     starts `pulse start --demo` on a fresh data directory and free ports, lets a minute of synthetic traffic
//     fill the live health, takes the picture and stops the demo;
//   SCREENSHOT_URL=http://127.0.0.1:4000 SCREENSHOT_TOKEN=<founder token> node --import tsx docs/screenshot.ts
//     photographs a collector that is already running instead.
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../test/support/chromium.ts';
import { type RunningPulse, startPulse } from '../test/support/pulse-start.ts';

const output = fileURLToPath(new URL('./images/dashboard.png', import.meta.url));
const warmUpMs = Number(process.env.SCREENSHOT_WARM_UP_S ?? 60) * 1000;

let pulse: RunningPulse | undefined;
let url = process.env.SCREENSHOT_URL;
let token = process.env.SCREENSHOT_TOKEN;
if (!url || !token) {
  // The demo's own 5 s scrape, as `npm start` runs it.
  pulse = await startPulse({ HEALTH_SCRAPE_INTERVAL: '5s', ALERT_EVALUATION_INTERVAL: '15s' });
  url = pulse.collectorUrl;
  token = pulse.tokens.founder;
  console.log(`demo up at ${url}; waiting ${warmUpMs / 1000} s for live health`);
  await new Promise((resolve) => setTimeout(resolve, warmUpMs));
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: [...chromiumArgs],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
  await page.goto(`${url}/#/overview`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
  // Every chart on the page has drawn its data.
  await page.waitForFunction(
    () => {
      const canvases = Array.from(document.querySelectorAll('canvas'));
      return canvases.length > 0 && canvases.every((canvas) => Number(canvas.dataset.drawn) > 0);
    },
    undefined,
    { timeout: 30_000 },
  );
  await page.waitForTimeout(1_000); // chart animations settle
  await page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
  if (pulse) {
    await pulse.interrupt();
    await pulse.cleanup();
  }
}
