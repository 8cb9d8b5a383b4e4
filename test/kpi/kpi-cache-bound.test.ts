// A bounded period cache never changes an answer: with room for fewer periods than one request names, the
// engine keeps dropping and recomputing, and every report still equals a cold computation.
import { expect, it } from 'vitest';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import type { KpiRequest } from '../../core/kpi/types.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { describeEachDatabase } from '../support/databases.ts';

const now = new Date('2026-10-20T12:00:00Z');
const requests: KpiRequest[] = [
  { from: '2025-11-01', to: '2026-11-01', interval: 'month', asOf: now },
  { from: '2026-08-01', to: '2026-10-21', interval: 'week', asOf: now },
  { from: '2026-09-01', to: '2026-10-21', interval: 'day', asOf: now },
  { from: '2026-01-01', to: '2026-07-01', interval: 'month', asOf: now },
];

describeEachDatabase('KPI engine with a small cache', ({ db }) => {
  it('answers like a cold computation while holding at most cachePeriods periods', async () => {
    await migrate(db());
    await seedDemoData(db(), { users: 1500, months: 14, seed: 11, until: now, append: false });
    const bounded = new KpiEngine(db(), { currency: 'USD', cachePeriods: 8, now: () => now });
    const cold = new KpiEngine(db(), { currency: 'USD', cache: false, now: () => now });
    expect(bounded.cacheLimit).toBe(8);
    for (const request of [...requests, ...requests]) {
      expect(await bounded.report(request)).toEqual(await cold.report(request));
      expect(bounded.cachedPeriods).toBeLessThanOrEqual(8);
    }
    expect(bounded.cachedPeriods).toBeGreaterThan(0);
  });

  it('keeps no period with cachePeriods 0', async () => {
    const none = new KpiEngine(db(), { currency: 'USD', cachePeriods: 0, now: () => now });
    await none.report(requests[0] as KpiRequest);
    expect([none.cachedPeriods, none.cacheLimit]).toEqual([0, 0]);
  });
});
