/// <reference lib="dom" />
// The Scaling view in headless Chromium against `pulse start --demo` (embedded database, 2,000 demo users
// plus the synthetic traffic's registrations), signed in as the operator: the phase shown is the API's, the
// PostgreSQL item is "todo" on the embedded database, a manual item recorded through the page's form is
// stored (and an empty "recorded by" is refused with the collector's own message, writing nothing), the
// checklist exports as CSV, and the thresholds table reads the alert rules from the catalog; with no legacy
// file followed there is no follow panel. Then, on PostgreSQL (rows written beside the running collector, as
// `pulse import-sqlite FILE --follow` writes them), the follow panel with the file's name, state and freshness,
// and LegacyFollowStale among the active alerts while the follow is stale.
// The embedded-database suite runs on the `pulse start --demo` all dashboard suites share, so what it records
// is told apart by a note of its own and compared with the records before, never with an empty history.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AlertStatus } from '../../collector/alerts/types.ts';
import type { ScalingItemView, ScalingReport } from '../../collector/scaling/scaling-types.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';
import { type RunningPulse, startPulse } from '../support/pulse-start.ts';
import {
  type Browser,
  describeInBrowser,
  launchBrowser,
  type SharedPulse,
  screenshot,
  sharedPulse,
  signIn,
} from './support/browser.ts';

interface RecordsAnswer {
  readonly records: readonly { done: boolean; recordedBy: string; note: string | null }[];
}

describeInBrowser('dashboard scaling view', () => {
  let pulse: SharedPulse;
  let browser: Browser;
  let page: Page;
  // This run's CDN record, told apart from any an earlier run on the same system wrote.
  const note = `assets served from the edge (${Date.now().toString(36)})`;
  let cdnBefore: RecordsAnswer['records'];

  async function api<T>(path: string): Promise<T> {
    const response = await fetch(`${pulse.collectorUrl}${path}`, {
      headers: { authorization: `Bearer ${pulse.tokens.operator}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  async function apiItem(id: string): Promise<ScalingItemView | undefined> {
    const report = await api<ScalingReport>('/api/scaling');
    return [...report.phases.flatMap((phase) => phase.items), ...report.security.items].find(
      (item) => item.id === id,
    );
  }

  const row = (table: string, text: string) =>
    page.locator(`[data-table="${table}"] tbody tr`, { hasText: text });
  const cells = (table: string, text: string) => row(table, text).locator('td').allTextContents();
  const cdnForm = () => page.getByRole('form', { name: 'Record CDN implementation' });

  beforeAll(async () => {
    pulse = sharedPulse();
    browser = await launchBrowser();
    cdnBefore = (await api<RecordsAnswer>('/api/scaling/items/cdn/records')).records;
    page = await browser.newPage();
    await signIn(page, pulse.collectorUrl, pulse.tokens.operator, '#/scaling');
    await page.locator('[data-current-phase]').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows the phase the API reports in the guide's words: range, platform, database, cost, users to go", async () => {
    const report = await api<ScalingReport>('/api/scaling');
    // The demo seeds 2,000 users; the synthetic traffic only adds registrations: phase 2 (1,000–10,000).
    expect(report.phase.number).toBe(2);
    expect(report.users).toBeGreaterThanOrEqual(2_000);
    const card = page.locator('[data-current-phase]');
    expect(await card.getAttribute('data-current-phase')).toBe('2');
    const text = await card.textContent();
    expect(text).toContain('Phase 2 · Growth');
    expect(text).toContain('1,000-10,000 users');
    expect(text).toContain('DigitalOcean, Linode, or AWS');
    expect(text).toContain('Managed PostgreSQL');
    expect(text).toContain('$20-100/month');
    // The guide's three phases, with their features.
    expect(text).toContain('Phase 1: 1-1,000 users (Startup)');
    expect(text).toContain('Phase 3: 10,000+ users (Enterprise)');
    expect(text).toContain('RDS, Cloud SQL, or Aurora');
    expect(text).toContain('$200-2000+/month');
    expect(text).toContain('✅ Auto-scaling up to 50,000 users');
    expect(Number(await page.locator('[data-users]').getAttribute('data-users'))).toBeGreaterThanOrEqual(
      2_000,
    );
    const milestone = page.locator('[data-milestone]');
    expect(await milestone.getAttribute('data-milestone')).toBe('10000');
    expect(await milestone.textContent()).toMatch(/of 10,000 users \(\d+\.\d %\) · [\d,]+ to go/);
  });

  it('shows no legacy follow panel while no legacy file is followed (legacyFollow null)', async () => {
    expect((await api<ScalingReport>('/api/scaling')).legacyFollow).toBeNull();
    expect(await page.locator('[data-legacy-follow]').count()).toBe(0);
    expect(await page.getByText('Data followed from the legacy SQLite file').count()).toBe(0);
  });

  it("shows the guide's cost breakdown table, row by row", async () => {
    const rows = page.locator('[data-table="scaling-cost-breakdown"] tbody tr');
    expect(await rows.count()).toBe(3);
    expect(await rows.nth(1).locator('td').allTextContents()).toEqual([
      '1K-10K',
      'DigitalOcean',
      'Managed PG',
      '$20-100',
      'Dedicated resources',
    ]);
  });

  it("groups the checklists under the guide's headings, marks Pulse's own items, and shows the security section", async () => {
    for (const heading of ['Before 1,000 Users', 'Before 10,000 Users', 'Before 100,000 Users']) {
      expect(await page.getByRole('heading', { name: new RegExp(`^${heading}`) }).count()).toBe(1);
    }
    const titles = async (table: string) =>
      (await page.locator(`[data-table="${table}"] tbody tr td:nth-child(2)`).allTextContents()).slice(0, 5);
    expect(await titles('scaling-phase-3')).toEqual([
      'Microservices architecture',
      'Database sharding',
      'Global deployment',
      'Auto-scaling groups',
      'Professional support',
    ]);
    expect((await cells('scaling-phase-2', 'Redis configured'))[2]).toBe("Pulse's own");
    expect((await cells('scaling-phase-2', 'Advanced caching'))[2]).toBe('scaling guide');
    const security = page.locator('[data-security-checklist]');
    expect(await security.getByRole('heading', { name: 'Security at Scale' }).count()).toBe(1);
    const limits = await cells('scaling-security-rate-limiting', 'Rate Limiting');
    expect(limits[1]).toBe('Rate Limiting · API: 100 requests/15min · Auth: 5 requests/15min');
    expect(limits[3]).toBe('detected');
    for (const title of ['TLS 1.3 for transport', 'AES-256 for storage', 'Key rotation policies']) {
      expect((await cells('scaling-security-data-encryption', title))[3]).toBe('recorded');
    }
    expect(await row('scaling-security-ddos-protection', 'DDoS Protection').count()).toBe(1);
  });

  it('shows the PostgreSQL item as todo, detected, on the embedded database', async () => {
    const [status, item, source, knownBy, evidence] = await cells('scaling-phase-1', 'Migrate to PostgreSQL');
    expect(status).toBe('○ todo');
    expect(item).toBe('Migrate to PostgreSQL');
    expect(source).toBe('scaling guide');
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
    expect((await api<RecordsAnswer>('/api/scaling/items/cdn/records')).records).toEqual(cdnBefore);
    expect((await apiItem('cdn'))?.status).toBe(cdnBefore[0]?.done ? 'done' : 'todo');
  });

  it('records the CDN item from the page: shown as done with the name, and the API agrees', async () => {
    await cdnForm().getByLabel('Done?').selectOption('yes');
    await cdnForm().getByLabel('Recorded by').fill('Ada Operator');
    await cdnForm().getByLabel('Note (optional)').fill(note);
    await cdnForm().getByRole('button', { name: 'Record' }).click();
    await row('scaling-phase-2', 'CDN implementation').filter({ hasText: note }).waitFor();
    const [status, , , knownBy, , recordedBy, when, shownNote] = await cells(
      'scaling-phase-2',
      'CDN implementation',
    );
    expect([status, knownBy, recordedBy, shownNote]).toEqual(['✓ done', 'recorded', 'Ada Operator', note]);
    expect(when).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    expect(await cdnForm().getByRole('alert').count()).toBe(0);

    const item = await apiItem('cdn');
    expect(item).toMatchObject({ status: 'done', recordedBy: 'Ada Operator', note });
    const { records } = await api<RecordsAnswer>('/api/scaling/items/cdn/records');
    expect(records).toEqual([
      { done: true, recordedBy: 'Ada Operator', note, recordedAt: item?.recordedAt },
      ...cdnBefore,
    ]);

    // The history on demand: this record first, then any before it (none on a fresh system).
    await page.locator('[data-item="cdn"]').getByRole('button', { name: 'Show history' }).click();
    const history = page.locator('[data-table="scaling-history-cdn"] tbody tr');
    await history.first().waitFor();
    expect(await history.count()).toBe(records.length);
    expect(await history.first().locator('td').allTextContents()).toEqual([
      when,
      '✓ done',
      'Ada Operator',
      note,
    ]);
  });

  it('exports the checklist as CSV with the plain status and the recorded time', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download Phase 2 items as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('scaling-phase-2.csv');
    const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Status,Item,Source,Known by,Evidence,Recorded by,When,Note,Why it matters');
    // 6 phase-2 items: the guide's five (Before 10,000 Users) and Pulse's own Redis item.
    expect(lines).toHaveLength(7);
    const cdn = lines.find((line) => line.includes('CDN implementation'));
    expect(cdn).toMatch(
      /^done,CDN implementation,guide,recorded,.*,Ada Operator,\d{4}-\d{2}-\d{2}T[\d:.]+Z,/,
    );
    expect(cdn).toContain(note);
  });

  it('lists the alert rules with readable thresholds and how each resolves, EmbeddedDatabaseTooManyUsers at 100 users', async () => {
    expect(await cells('alert-thresholds', 'EmbeddedDatabaseTooManyUsers')).toEqual([
      'EmbeddedDatabaseTooManyUsers',
      'warning',
      'users > 100',
      '5 min',
      '≤ 90',
      'operator and founder',
    ]);
    // How each resolves: back past its resolve threshold (hysteresis), or a keep-firing time.
    expect((await cells('alert-thresholds', 'ApiErrorRatioHigh'))[4]).toBe('≤ 0.5 %');
    expect((await cells('alert-thresholds', 'SensitiveFileServed'))[4]).toBe('after 10 min without');
    expect((await cells('alert-thresholds', 'UsersReached1K'))[2]).toBe('users ≥ 1,000');
    expect((await cells('alert-thresholds', 'ApiLatencyHigh'))[2]).toBe('API latency p95 > 500 ms');
    expect((await cells('alert-thresholds', 'HeapUsedHigh'))[2]).toBe('heap used > 1 GiB');
    // The operator's catalog leaves out the founder-only business rules, and the page says why.
    expect(await row('alert-thresholds', 'LogoChurnHigh').count()).toBe(0);
    expect(await page.getByText('Business alert rules (logo churn, conversion) are hidden').count()).toBe(1);
    await screenshot(page, 'scaling');
  });
});

const followFile = defineQuery<{ source: string; syncedSecondsAgo: number }, never>(
  'test.followLegacyFile',
  `INSERT INTO legacy_follow (source, started_at, interval_seconds, last_read_at, last_sync_at, file_modified_at,
                              syncs, rows_imported, rows_skipped, cancels_observed)
   VALUES (:source, now() - interval '1 hour', 60, now() - make_interval(secs => :syncedSecondsAgo),
           now() - make_interval(secs => :syncedSecondsAgo), now() - interval '2 minutes', 3, 1234, 0, 5)`,
);
const lastSyncAgo = defineQuery<{ source: string; syncedSecondsAgo: number }, never>(
  'test.setLegacyLastSync',
  `UPDATE legacy_follow SET last_sync_at = now() - make_interval(secs => :syncedSecondsAgo)
    WHERE source = :source`,
);
const failSync = defineQuery<{ source: string; message: string }, never>(
  'test.failLegacySync',
  'UPDATE legacy_follow SET last_error = :message, last_error_at = now() WHERE source = :source',
);

describeInBrowser('dashboard scaling view: data followed from a legacy SQLite file', () => {
  // PGlite keeps its directory to one process: the rows are written beside the running collector on PostgreSQL.
  // So a system of its own (not the shared one): PostgreSQL, and its stale follow fires LegacyFollowStale.
  describeWithPostgres('on PostgreSQL', () => {
    const source = '/srv/pledgr-legacy/pledgr.db';
    let temp: TempDatabase;
    let pulse: RunningPulse;
    let browser: Browser;
    let page: Page;
    let db: Db;

    const api = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${pulse.collectorUrl}${path}`, {
        headers: { authorization: `Bearer ${pulse.tokens.operator}` },
      });
      expect(response.status).toBe(200);
      return (await response.json()) as T;
    };
    /** Reloads the view (it refreshes by itself every minute) and reads the panel once it shows `state`. */
    const panelIn = async (state: string) => {
      await page.reload();
      const entry = page.locator(`[data-follow-state="${state}"]`);
      await entry.waitFor();
      const [summary = '', said = ''] = (await entry.locator('p').allTextContents()).map((text) =>
        text.replace(/\s+/g, ' ').trim(),
      );
      return { file: await entry.getAttribute('data-follow-file'), summary, state: said };
    };

    beforeAll(async () => {
      temp = await createTempDatabase();
      [pulse, browser] = await Promise.all([
        startPulse({ DATABASE_URL: temp.url, DATABASE_TYPE: 'postgres' }),
        launchBrowser(),
      ]);
      db = await openPostgresDb({ url: temp.url, pool: testPool });
      page = await browser.newPage();
      await signIn(page, pulse.collectorUrl, pulse.tokens.operator, '#/scaling');
      await page.locator('[data-current-phase]').waitFor();
    }, 180_000);
    afterAll(async () => {
      await db?.close();
      await browser?.close();
      await pulse?.cleanup();
      await temp?.drop();
    });

    it('shows the followed file by name, following, with the last sync and the counts', async () => {
      expect(await page.locator('[data-legacy-follow]').count()).toBe(0);
      await db.query(followFile, { source, syncedSecondsAgo: 42 });
      const { file, summary, state } = await panelIn('following');
      expect(file).toBe('pledgr.db');
      expect(summary).toMatch(
        /^Data followed from the legacy SQLite file pledgr\.db — last sync (\d+) s ago \(every 60 s\); 3 syncs, 1,234 rows imported, 5 cancels observed$/,
      );
      expect(state).toBe('✓ following — synced within the last 3 min');
      // 42 s when written; the page was read a moment later.
      const seconds = Number(/last sync (\d+) s ago/.exec(summary)?.[1]);
      expect(seconds).toBeGreaterThanOrEqual(42);
      expect(seconds).toBeLessThan(60);
      const [follow] = (await api<ScalingReport>('/api/scaling')).legacyFollow ?? [];
      expect(follow).toMatchObject({ file: 'pledgr.db', state: 'following', syncs: 3, rowsImported: 1_234 });
      // The panel sits above the phase; the absolute path is nowhere on the page.
      const [panelTop, phaseTop] = await Promise.all(
        ['[data-legacy-follow]', '[data-current-phase]'].map(
          async (selector) => (await page.locator(selector).boundingBox())?.y ?? Number.NaN,
        ),
      );
      expect(panelTop).toBeLessThan(phaseTop as number);
      expect(await page.locator('body').textContent()).not.toContain('/srv/');
    });

    it('says the follow is stale when no sync came for more than 3 intervals, and LegacyFollowStale fires', async () => {
      await db.query(lastSyncAgo, { source, syncedSecondsAgo: 10 * 60 });
      const { summary, state } = await panelIn('stale');
      expect(summary).toContain('pledgr.db — last sync 10 min ago (every 60 s)');
      expect(state).toBe(
        '⚠ stale — no sync for 10 min — is the follower running? Restart pulse import-sqlite FILE --follow',
      );
      const deadline = Date.now() + 15_000;
      let active: readonly AlertStatus[] = [];
      while (Date.now() < deadline) {
        active = (await api<{ active: AlertStatus[] }>('/api/alerts')).active;
        if (active.some((alert) => alert.alertname === 'LegacyFollowStale')) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(active.find((alert) => alert.alertname === 'LegacyFollowStale')).toMatchObject({
        state: 'firing',
        value: 1,
        action: ['restart `pulse import-sqlite FILE --follow`', expect.stringContaining('last error')],
      });
    });

    it('shows the last error when the newest sync failed', async () => {
      await db.query(lastSyncAgo, { source, syncedSecondsAgo: 30 });
      await db.query(failSync, { source, message: `SQLITE_BUSY: database is locked (${source})` });
      const { state } = await panelIn('failing');
      expect(state).toMatch(
        /^✕ failing — the last sync failed \d+ s ago: SQLITE_BUSY: database is locked \(pledgr\.db\)$/,
      );
      await screenshot(page, 'scaling-legacy-follow');
    });
  });
});
