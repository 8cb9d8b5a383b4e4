// The KPI engine against the independent reference on generated demo data, on both databases: 1,500 users
// over 14 months of registrations, amount changes, churn and reactivation, compared period by period for
// month, ISO-week and day intervals. Counts, cents, bounds and flags must match exactly; the six fractional
// figures may differ by float rounding only (relative 1e-12). A third of the cancels are then marked as
// estimated by the legacy import and a third as observed by --follow, so that estimatedChurnMovements is
// compared too (the demo seed writes 'recorded' cancels only).
import { beforeAll, expect, it } from 'vitest';
import { defineQuery } from '../../core/db/query.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import type { KpiRequest } from '../../core/kpi/types.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { loadReferenceData, type ReferenceData, referenceKpiPeriods } from '../support/kpi-reference.ts';
import { expectWellFormedPeriod, forgivingRounding } from './kpi-compare.ts';

const asOf = new Date('2026-10-20T00:00:00Z');
const seed = {
  users: 1500,
  months: 14,
  seed: 21,
  until: new Date('2026-10-15T00:00:00Z'),
  append: false,
} as const;

const requests: readonly { request: KpiRequest & { asOf: Date }; periods: number }[] = [
  // 2025-08 … 2026-10: 15 months.
  { request: { from: '2025-08-01', to: '2026-11-01', interval: 'month', asOf }, periods: 15 },
  // Mondays 2026-03-02 … 2026-10-12: 33 weeks.
  { request: { from: '2026-03-02', to: '2026-10-19', interval: 'week', asOf }, periods: 33 },
  // 2026-08-01 … 2026-10-15: 31 + 30 + 15 = 76 days.
  { request: { from: '2026-08-01', to: '2026-10-16', interval: 'day', asOf }, periods: 76 },
];

/** The instants stay as they are: only where they came from changes. */
const markCancelSources = defineQuery<Record<string, never>, never>(
  'test.markCancelSources',
  `UPDATE pledges
      SET cancelled_at_source = CASE id % 3 WHEN 0 THEN 'estimated_import' WHEN 1 THEN 'observed_follow' ELSE 'recorded' END
    WHERE cancelled_at IS NOT NULL`,
);

describeEachDatabase('KPI engine against the reference on generated data', ({ db }) => {
  let data: ReferenceData | undefined;

  beforeAll(async () => {
    await migrate(db());
    await seedDemoData(db(), seed);
    await db().query(markCancelSources, {});
    data = await loadReferenceData(db());
  });

  for (const { request, periods: count } of requests) {
    it(`engine matches the reference for every ${request.interval} period from ${request.from} to ${request.to}`, async () => {
      if (!data) throw new Error('seeded in beforeAll');
      const expected = referenceKpiPeriods(data, request);
      expect(expected).toHaveLength(count);
      // The data must exercise what is compared, or agreement would prove little.
      const movements = [
        'newMrrCents',
        'reactivationMrrCents',
        'expansionMrrCents',
        'contractionMrrCents',
        'churnedMrrCents',
        'estimatedChurnMovements',
      ] as const;
      for (const movement of movements) {
        expect(
          expected.some((p) => p[movement] > 0),
          `some ${movement} > 0`,
        ).toBe(true);
      }

      const report = await new KpiEngine(db(), { currency: 'USD' }).report(request);

      expect(report.stale).toBe(false);
      for (const period of report.periods) {
        expectWellFormedPeriod(period, `${request.interval} ${period.periodStart}`);
      }
      expect(report.periods.map((period, index) => forgivingRounding(period, expected[index] ?? {}))).toEqual(
        expected,
      );
    });
  }
});
