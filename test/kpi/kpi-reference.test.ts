// The independent KPI oracle (test/support/kpi-reference.ts) checked against the hand-worked fixtures, with
// no database: every hand value must come out exactly, so that the oracle can then be trusted on generated
// data the hands cannot follow. Also pins the oracle's period enumeration.
import { describe, expect, it } from 'vitest';
import { kpiPeriodOutputFields } from '../../core/kpi/types.ts';
import { referenceKpiPeriods, referencePeriodBounds } from '../support/kpi-reference.ts';
import { kpiFixtures } from './fixtures.ts';
import { expectWellFormedPeriod, pickFields } from './kpi-compare.ts';

describe('KPI reference on the hand-worked fixtures', () => {
  for (const fixture of kpiFixtures) {
    it(`reference reproduces every hand value of "${fixture.name}"`, () => {
      const periods = referenceKpiPeriods(fixture, fixture.request);
      expect(periods).toHaveLength(fixture.expected.length);
      periods.forEach((period, index) => {
        const expected = fixture.expected[index] ?? { periodStart: '?', periodEnd: '?' };
        const label = `${fixture.name} ${expected.periodStart}`;
        expect(pickFields(period, expected), label).toEqual(expected);
        expectWellFormedPeriod(period, label);
      });
    });
  }

  it('fixtures assert every period field at least once and are not vacuous', () => {
    const asserted = new Set(
      kpiFixtures.flatMap((fixture) => fixture.expected.flatMap((p) => Object.keys(p))),
    );
    expect([...kpiPeriodOutputFields].filter((field) => !asserted.has(field))).toEqual([]);
    expect(kpiFixtures.map((fixture) => fixture.request.interval).sort()).toEqual(
      expect.arrayContaining(['day', 'month', 'week']),
    );
    const values = kpiFixtures.flatMap((fixture) => fixture.expected);
    for (const field of [
      'logoChurnRate',
      'grossMrrChurnRate',
      'netMrrRetention',
      'conversionRate',
    ] as const) {
      expect(
        values.some((p) => p[field] === null),
        `${field} null somewhere`,
      ).toBe(true);
      expect(
        values.some((p) => typeof p[field] === 'number'),
        `${field} a number somewhere`,
      ).toBe(true);
    }
    expect(values.some((p) => p.arpuCents === null) && values.some((p) => p.arppuCents === null)).toBe(true);
    expect(values.some((p) => p.conversionMature === true)).toBe(true);
    expect(values.some((p) => p.conversionMature === false)).toBe(true);
    for (const field of ['newMrrCents', 'reactivationMrrCents', 'expansionMrrCents'] as const) {
      expect(
        values.some((p) => (p[field] ?? 0) > 0),
        `${field} > 0 somewhere`,
      ).toBe(true);
    }
    for (const field of ['contractionMrrCents', 'churnedMrrCents', 'estimatedChurnMovements'] as const) {
      expect(
        values.some((p) => (p[field] ?? 0) > 0),
        `${field} > 0 somewhere`,
      ).toBe(true);
    }
    expect(
      values.some((p) => p.estimatedChurnMovements === 0 && (p.churnedMrrCents ?? 0) > 0),
      'estimatedChurnMovements asserted 0 beside churn somewhere',
    ).toBe(true);
  });
});

describe('KPI reference period enumeration', () => {
  const starts = (from: string, to: string, interval: 'day' | 'week' | 'month') =>
    referencePeriodBounds({ from, to, interval }).map(({ start, end }) => [
      start.toISOString().slice(0, 10),
      end.toISOString().slice(0, 10),
    ]);

  it('day periods cover a leap day and stop before to', () => {
    expect(starts('2028-02-28', '2028-03-01', 'day')).toEqual([
      ['2028-02-28', '2028-02-29'],
      ['2028-02-29', '2028-03-01'],
    ]);
  });

  it('week periods align a Sunday down to the Monday before and a Monday to itself', () => {
    expect(starts('2026-03-08', '2026-03-10', 'week')).toEqual([
      ['2026-03-02', '2026-03-09'],
      ['2026-03-09', '2026-03-16'],
    ]);
    expect(starts('2026-03-09', '2026-03-10', 'week')).toEqual([['2026-03-09', '2026-03-16']]);
  });

  it('month periods align the 31st down, run across a year end, and are whole past to', () => {
    expect(starts('2025-12-31', '2026-02-02', 'month')).toEqual([
      ['2025-12-01', '2026-01-01'],
      ['2026-01-01', '2026-02-01'],
      ['2026-02-01', '2026-03-01'],
    ]);
  });

  it('periods are empty when to is not after the aligned from', () => {
    expect(starts('2026-03-15', '2026-03-01', 'month')).toEqual([]);
    expect(starts('2026-03-15', '2026-03-15', 'day')).toEqual([]);
  });

  it('reference handles a few thousand users over sixty periods in well under the test timeout', () => {
    const users = Array.from({ length: 3000 }, (_, i) => ({
      id: i + 1,
      createdAt: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000),
    }));
    const pledges = users.flatMap((u) => [
      {
        id: u.id * 2,
        userId: u.id,
        artistId: 1,
        amountCents: 500 + (u.id % 7) * 100,
        createdAt: new Date(u.createdAt.getTime() + 86_400_000),
        cancelledAt: u.id % 3 === 0 ? new Date(u.createdAt.getTime() + 40 * 86_400_000) : null,
        cancelledAtSource: u.id % 3 === 0 ? ('estimated_import' as const) : null,
      },
    ]);
    const started = performance.now();
    const periods = referenceKpiPeriods(
      { users, pledges },
      { from: '2025-01-01', to: '2025-03-02', interval: 'day', asOf: new Date('2026-01-01T00:00:00Z') },
    );
    expect(periods).toHaveLength(60);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
