// The Business view's data-quality note beside churn, without a browser: nothing when no churn of the range
// rests on an estimated cancellation instant; else the total, the periods (named up to three), singular for one.
import { describe, expect, it } from 'vitest';
import type { KpiPeriod, KpiReport } from '../../dashboard/src/lib/api-types.ts';
import { estimatedChurn } from '../../dashboard/src/views/business/estimated-churn.ts';

function report(counts: readonly number[], interval: KpiReport['interval'] = 'month'): KpiReport {
  return {
    interval,
    currency: 'USD',
    asOf: '2027-01-01T00:00:00.000Z',
    stale: false,
    periods: counts.map(
      (estimatedChurnMovements, index) =>
        ({
          periodStart: new Date(Date.UTC(2026, index, 1)).toISOString(),
          periodEnd: new Date(Date.UTC(2026, index + 1, 1)).toISOString(),
          estimatedChurnMovements,
        }) as KpiPeriod,
    ),
  };
}

describe('estimatedChurn', () => {
  it('is null when no period has an estimated churn movement', () => {
    expect(estimatedChurn(report([0, 0, 0]), 'Column')).toBeNull();
    expect(estimatedChurn(report([]), 'Column')).toBeNull();
  });

  it('totals the range and names the periods', () => {
    const note = estimatedChurn(report([0, 4, 0, 1_200]), 'Churn movements on estimated dates');
    expect(note).toMatchObject({ movements: 1_204, periods: ['2026-02', '2026-04'] });
    expect(note?.text).toBe(
      '1,204 churn movements in this range (2026-02, 2026-04) rest on estimated cancellation dates: the ' +
        'cancellations were imported from the old Pledgr SQLite file, which never recorded when a pledge was ' +
        'cancelled, so those pledgers may have churned or contracted earlier. See “Churn movements on ' +
        'estimated dates” per period in the table below.',
    );
  });

  it('says one movement in the singular, and counts rather than names more than three periods', () => {
    expect(estimatedChurn(report([0, 1]), 'Column')?.text).toMatch(
      /^1 churn movement in this range \(2026-02\) rests on estimated/,
    );
    expect(estimatedChurn(report([1, 1, 1, 1], 'day'), 'Column')?.text).toMatch(
      /^4 churn movements in this range \(4 periods\) rest on/,
    );
  });
});
