// The vitest globalSetup of the dashboard-e2e project (vitest.config.ts): one `pulse start --demo` for every
// dashboard suite, started before the first and stopped after the last, its addresses and tokens handed to
// the suites through provide/inject (sharedPulse() in ./browser.ts). Vitest runs a project's globalSetup
// only when one of its files is selected, so `vitest run test/core` starts nothing; nor does a run where
// the browser suites are skipped (no Chromium or no built dashboard, outside CI).
// The one system covers what each suite needs, without changing what the others assert:
// - the embedded database is written beforehand as --demo writes it (--demo then leaves it as it is), with
//   one month's cancels marked as estimated by the legacy SQLite import (the Business view's data-quality
//   note); closed months only, nothing another suite reads;
// - 20 % of the pledge API's /api/pledges answers are 500s (FAULT_ERROR_RATE), so the SLO budgets burn (Live
//   health's SLO panel): well past the fast page's 14.4× on pledge writes (5 % hovered around it, about 15×,
//   so whether the page fired depended on the moment); every other suite compares the page with the API, or
//   looks at one named alert.
// Suites must not stop it, nor assert on state another suite may write (the Scaling view records items).
import type { TestProject } from 'vitest/node';
import { demoSize } from '../../../cli/system/demo-size.ts';
import { embeddedDataDir } from '../../../core/db/open-db.ts';
import { openPgliteDb } from '../../../core/db/pglite-db.ts';
import { defineQuery } from '../../../core/db/query.ts';
import { migrate } from '../../../core/migrate.ts';
import { seedDemoData } from '../../../core/seed/seed-demo.ts';
import { inCi } from '../../support/postgres.ts';
import { startPulse } from '../../support/pulse-start.ts';
import { browserUnavailable } from './availability.ts';
import type { SharedPulse } from './browser.ts';

/** The first day of the month `offset` months from now (UTC), as YYYY-MM-DD. */
export function monthStart(offset: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

/** As if that month's cancels had come from the legacy SQLite file: the same instants, estimated. */
const estimateCancels = defineQuery<{ from: string; to: string }, never>(
  'test.estimateCancels',
  `UPDATE pledges SET cancelled_at_source = 'estimated_import'
    WHERE cancelled_at >= :from::timestamptz AND cancelled_at < :to::timestamptz`,
);

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (browserUnavailable && !inCi) {
    project.provide('pulse', null);
    return undefined;
  }
  const [estimatedFrom, estimatedTo] = [monthStart(-3), monthStart(-2)];
  const pulse = await startPulse(
    { FAULT_ROUTES: '/api/pledges', FAULT_ERROR_RATE: '0.2' },
    async (dataDir) => {
      const db = await openPgliteDb({ dataDir: embeddedDataDir(dataDir) });
      try {
        await migrate(db);
        await seedDemoData(db, { ...demoSize, until: new Date(), append: false });
        await db.query(estimateCancels, { from: estimatedFrom, to: estimatedTo });
      } finally {
        await db.close();
      }
    },
  );
  const shared: SharedPulse = {
    collectorUrl: pulse.collectorUrl,
    apiUrl: pulse.apiUrl,
    tokens: pulse.tokens,
    estimatedChurnMonth: estimatedFrom,
  };
  project.provide('pulse', shared);
  return () => pulse.cleanup();
}
