// HTTP hardening of both services: security headers (helmet) on successes, errors and refused bodies; CORS
// closed (no Access-Control-Allow-* on any answer, a cross-origin preflight gets nothing permissive); body
// limits (16 kB JSON: 413 in the error shape) on the agent and on the collector's one POST route; and a
// Content-Security-Policy for the dashboard that needs no inline script or style.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardDist } from '../../collector/routes/dashboard-routes.ts';
import type { RunningCollector } from '../../collector/server.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { startTestAgent, type TestAgent } from '../support/agent-app.ts';
import { startTestCollector, testTokens } from '../support/collector.ts';

const evilOrigin = 'https://evil.example';

function expectCommonSecurityHeaders(headers: Headers) {
  expect({
    nosniff: headers.get('x-content-type-options'),
    frame: headers.get('x-frame-options'),
    referrer: headers.get('referrer-policy'),
    hsts: headers.get('strict-transport-security'),
    opener: headers.get('cross-origin-opener-policy'),
    resource: headers.get('cross-origin-resource-policy'),
    poweredBy: headers.get('x-powered-by'),
  }).toEqual({
    nosniff: 'nosniff',
    frame: 'SAMEORIGIN',
    referrer: 'no-referrer',
    hsts: 'max-age=31536000; includeSubDomains',
    opener: 'same-origin',
    resource: 'same-origin',
    poweredBy: null,
  });
}

function expectNoCors(headers: Headers) {
  const names: string[] = [];
  headers.forEach((_value, name) => {
    if (name.startsWith('access-control-')) names.push(name);
  });
  expect(names).toEqual([]);
}

async function preflight(url: string) {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin: evilOrigin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
}

describe('agent HTTP hardening', () => {
  let db: Db;
  let agent: TestAgent;
  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: 'memory://' });
    await migrate(db);
    agent = await startTestAgent(db);
  });
  afterAll(async () => {
    await agent?.close();
    await db?.close();
  });

  it('sends the security headers and a CSP that lets nothing load on a 200, a 401 and a 413', async () => {
    const ok = await fetch(`${agent.url}/healthz`, { headers: { origin: evilOrigin } });
    const refused = await fetch(`${agent.url}/api/me`, { headers: { origin: evilOrigin } });
    const tooLarge = await fetch(`${agent.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: evilOrigin },
      body: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(16 * 1024) }),
    });
    expect([ok.status, refused.status, tooLarge.status]).toEqual([200, 401, 413]);
    for (const response of [ok, refused, tooLarge]) {
      expectCommonSecurityHeaders(response.headers);
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'none';frame-ancestors 'none'",
      );
      expectNoCors(response.headers);
    }
    expect(await tooLarge.json()).toEqual({
      error: { code: 'entity_too_large', message: 'request entity too large' },
    });
  });

  it('takes a body just under 16 kB and refuses one byte more with 413', async () => {
    const bodyOf = (size: number) => {
      const shell = JSON.stringify({ email: 'a@example.com', password: '' });
      return JSON.stringify({ email: 'a@example.com', password: 'p'.repeat(size - shell.length) });
    };
    const send = (body: string) =>
      fetch(`${agent.url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    expect(bodyOf(16 * 1024)).toHaveLength(16_384);
    // At the limit the body is parsed, and refused by the schema (password longer than 200): 400, not 413.
    expect((await send(bodyOf(16 * 1024))).status).toBe(400);
    expect((await send(bodyOf(16 * 1024 + 1))).status).toBe(413);
  });

  it('answers a cross-origin preflight with no Access-Control-Allow-* header', async () => {
    for (const path of ['/api/pledges', '/api/auth/login', '/api/artists/1']) {
      const response = await preflight(`${agent.url}${path}`);
      expect(response.status).toBeLessThan(500);
      expectNoCors(response.headers);
    }
  });
});

describe('collector HTTP hardening', () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startTestCollector({ kind: 'embedded', dataDir: 'memory://' });
  });
  afterAll(async () => {
    await collector?.stop();
  });
  const founder = { authorization: `Bearer ${testTokens.founder}` };

  it('sends the security headers and the dashboard CSP on the page, the API and its errors, with no CORS', async () => {
    const page = await fetch(`${collector.url}/`, { headers: { origin: evilOrigin } });
    const api = await fetch(`${collector.url}/api/session`, { headers: { ...founder, origin: evilOrigin } });
    const refused = await fetch(`${collector.url}/api/kpis`, { headers: { origin: evilOrigin } });
    expect([api.status, refused.status]).toEqual([200, 401]);
    for (const response of [page, api, refused]) {
      expectCommonSecurityHeaders(response.headers);
      expect(response.headers.get('content-security-policy')).toBe(
        "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'",
      );
      expectNoCors(response.headers);
    }
  });

  it('answers a cross-origin preflight with no Access-Control-Allow-* header', async () => {
    for (const path of ['/api/kpis', '/api/scaling/items/automated-backups', '/metrics']) {
      const response = await preflight(`${collector.url}${path}`);
      expect(response.status).toBeLessThan(500);
      expectNoCors(response.headers);
    }
  });

  it('refuses a scaling record past 16 kB with 413 in the error shape and writes nothing', async () => {
    const response = await fetch(`${collector.url}/api/scaling/items/automated-backups`, {
      method: 'POST',
      headers: { ...founder, 'content-type': 'application/json' },
      body: JSON.stringify({ done: true, recordedBy: 'fz', note: 'n'.repeat(16 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'entity_too_large', message: 'request entity too large' },
    });
    const history = await fetch(`${collector.url}/api/scaling/items/automated-backups/records`, {
      headers: founder,
    });
    expect(((await history.json()) as { records: unknown[] }).records).toEqual([]);
  });

  const built = existsSync(`${dashboardDist}index.html`);
  it.skipIf(!built)(
    'serves a dashboard that needs no inline script or style (skipped until npm run build:dashboard)',
    () => {
      const html = readFileSync(`${dashboardDist}index.html`, 'utf8');
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style[\s>]|\sstyle=/);
      expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/[^"]+\.js"><\/script>/);
    },
  );

  it.skipIf(!built)(
    'links an icon and serves it at /favicon.svg and /favicon.ico (no 404 in the console)',
    async () => {
      const html = readFileSync(`${dashboardDist}index.html`, 'utf8');
      expect(html).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml" />');
      for (const path of ['/favicon.svg', '/favicon.ico']) {
        const response = await fetch(`${collector.url}${path}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
        expect(await response.text()).toMatch(/^<svg /);
      }
    },
  );
});
