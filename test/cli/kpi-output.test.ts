// `pulse kpis` rendering without a process: the csv header (DESIGN.md fields, then the added ones) and the
// note on estimated churn that --format table prints on stderr.
import { describe, expect, it } from 'vitest';
import { estimatedChurnNote, renderReport } from '../../cli/kpi-output.ts';
import { type KpiPeriod, type KpiReport, kpiPeriodFields } from '../../core/kpi/types.ts';

function report(counts: readonly number[]): KpiReport {
  return {
    interval: 'week',
    currency: 'USD',
    asOf: '2027-01-01T00:00:00.000Z',
    stale: false,
    periods: counts.map(
      (estimatedChurnMovements, index) =>
        ({
          periodStart: new Date(Date.UTC(2026, 0, 5 + 7 * index)).toISOString(),
          periodEnd: new Date(Date.UTC(2026, 0, 12 + 7 * index)).toISOString(),
          estimatedChurnMovements,
        }) as KpiPeriod,
    ),
  };
}

describe('estimatedChurnNote', () => {
  it('says nothing when no churn rests on an estimate', () => {
    expect(estimatedChurnNote(report([0, 0]))).toBeNull();
  });

  it('gives the total and the periods, singular for one movement', () => {
    expect(estimatedChurnNote(report([0, 1]))).toBe(
      'Note: 1 churn movement (churned or contracted pledger) rests on estimated cancellation dates, in 1 of ' +
        'these 2 week periods (2026-01-12): those cancellations were imported from the old Pledgr SQLite file, ' +
        'which never recorded when a pledge was cancelled, so the movements may belong to an earlier period. ' +
        'See "Churn movements on estimated dates" per period in the table.\n',
    );
    expect(estimatedChurnNote(report([2, 0, 3, 4, 1]))).toMatch(
      /^Note: 10 churn movements \(churned or contracted pledgers\) rest on estimated cancellation dates, in 4 of these 5 week periods: /,
    );
  });
});

describe('renderReport csv', () => {
  it('puts the added field after the DESIGN.md fields', () => {
    const [header] = renderReport(report([3]), 'csv').split('\n');
    expect(header).toBe([...kpiPeriodFields, 'estimatedChurnMovements'].join(','));
  });
});
