/// <reference lib="dom" />
// The dashboard in headless Chromium against `pulse start --demo`: the sign-in form refuses a wrong token
// with a message, accepts the founder token, keeps it for the browser session (a reload stays signed in),
// the view lives in the URL, and the colours follow the system's light or dark scheme.
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type Browser,
  describeInBrowser,
  launchBrowser,
  type SharedPulse,
  screenshot,
  sharedPulse,
  signIn,
} from './support/browser.ts';

describeInBrowser('dashboard sign-in', () => {
  let pulse: SharedPulse;
  let browser: Browser;

  beforeAll(async () => {
    pulse = sharedPulse();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('refuses a wrong token with a message and writes nothing to the session', async () => {
    const page = await browser.newPage();
    await page.goto(`${pulse.collectorUrl}/`);
    await page.getByLabel('Access token').fill('not-a-valid-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/not accepted/);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await screenshot(page, 'sign-in-refused');
    await page.close();
  });

  it('signs in with the founder token, keeps it across a reload, and keeps the view in the URL', async () => {
    const page = await browser.newPage();
    await signIn(page, pulse.collectorUrl, pulse.tokens.founder, '#/alerts');
    await expect(page.locator('main').getAttribute('data-view')).resolves.toBe('alerts');
    await page.reload();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    await expect(page.locator('main').getAttribute('data-view')).resolves.toBe('alerts');
    await expect(page.getByText('Founder', { exact: true }).count()).resolves.toBe(1);
    await page.close();
  });

  it('follows the system colour scheme: light by default, dark when the system asks', async () => {
    const page = await browser.newPage();
    await signIn(page, pulse.collectorUrl, pulse.tokens.operator, '#/alerts');
    const background = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(await background()).toBe('rgb(246, 247, 249)');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe('rgb(20, 23, 28)');
    await screenshot(page, 'alerts-dark');
    await page.close();
  });
});
