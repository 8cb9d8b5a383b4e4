// Burn-rate arithmetic and the multi-window, multi-burn-rate table on known per-minute series: a fast burn
// pages, a slow leak opens a ticket, a blip and a finished incident stay quiet — worked out by hand here.
import { describe, expect, it } from 'vitest';
import { budgetLeft, burnRate, errorRatio, sliValue } from '../../core/slo/burn-rate.ts';
import {
  type BurnRates,
  burnAlertName,
  burnFactor,
  burnRateAlertTable,
  rowFires,
} from '../../core/slo/burn-rate-alerts.ts';
import { buildSloCatalog, defaultSloSettings, sloCatalog } from '../../core/slo/slo-catalog.ts';
import { sloEvents } from '../../core/slo/slo-events.ts';
import { burnWindowNames, burnWindows } from '../../core/slo/slo-windows.ts';

const availability = sloCatalog[0] as (typeof sloCatalog)[number];

/** Per-minute (total, bad) counts, oldest first; the last entry is the minute that just ended. */
type Series = { total: number; bad: number }[];

function minutes(count: number, total: number, bad: number): Series {
  return Array.from({ length: count }, () => ({ total, bad }));
}

function burnsAtEnd(series: Series, objective: number): BurnRates {
  const burns: Record<string, number | null> = {};
  for (const name of burnWindowNames) {
    const window = series.slice(-burnWindows[name] / 60);
    const events = window.reduce((sum, m) => ({ total: sum.total + m.total, bad: sum.bad + m.bad }), {
      total: 0,
      bad: 0,
    });
    burns[name] = burnRate(events, objective);
  }
  return burns;
}

/** Names of the rows that fire on the series for the 99.9 % availability SLO. */
function firing(series: Series): string[] {
  const burns = burnsAtEnd(series, availability.objective);
  return burnRateAlertTable
    .filter((row) => rowFires(row, availability, burns) === true)
    .map((row) => burnAlertName(availability, row));
}

const day = 24 * 60;

describe('burn-rate arithmetic', () => {
  it('burn rate is the error ratio over the budget share: 0.5 % errors against 99.9 % burn 5×', () => {
    const events = { total: 2000, bad: 10 };
    expect(errorRatio(events)).toBe(0.005);
    expect(sliValue(events)).toBeCloseTo(0.995, 12);
    expect(burnRate(events, 0.999)).toBeCloseTo(5, 9);
  });

  it('budget left is 1 − bad ÷ (total × (1 − objective)), negative once overspent', () => {
    expect(budgetLeft({ total: 1_000_000, bad: 250 }, 0.999)).toBeCloseTo(0.75, 9);
    expect(budgetLeft({ total: 1_000_000, bad: 0 }, 0.999)).toBe(1);
    expect(budgetLeft({ total: 1_000_000, bad: 2000 }, 0.999)).toBeCloseTo(-1, 9);
  });

  it('a window without requests has no ratio, burn or budget figure rather than a perfect one', () => {
    const none = { total: 0, bad: 0 };
    expect([errorRatio(none), burnRate(none, 0.999), budgetLeft(none, 0.999)]).toEqual([null, null, null]);
  });

  it('the table factors are the workbook numbers for a 30-day window and scale with the window', () => {
    expect(burnRateAlertTable.map((row) => burnFactor(row, availability))).toEqual([14.4, 6, 3, 1]);
    const week = buildSloCatalog({ ...defaultSloSettings, windowSeconds: 7 * 86_400 })[0];
    expect(burnRateAlertTable.map((row) => burnFactor(row, week as typeof availability))).toEqual([
      3.36, 1.4, 0.7, 0.233333,
    ]);
  });
});

describe('multi-window multi-burn-rate alerts', () => {
  const quietDays = minutes(3 * day, 1000, 0);

  it('a fast burn (2 % errors for the last hour: burn 20) pages on the 1 h / 5 m row only', () => {
    // 1 h: 1200/60000 = 2 % → 20 > 14.4; 6 h: 1200/360000 → 3.3 < 6; 1 d → 0.83 < 3; 3 d → 0.28 < 1.
    expect(firing([...quietDays, ...minutes(60, 1000, 20)])).toEqual(['PledgeApiAvailabilityBudgetBurnFast']);
  });

  it('a steady burn (0.8 % errors for 6 hours: burn 8) pages on the 6 h / 30 m row, not the 1 h one', () => {
    expect(firing([...quietDays, ...minutes(360, 1000, 8)])).toEqual([
      'PledgeApiAvailabilityBudgetBurnSteady',
    ]);
  });

  it('a slow leak (0.2 % errors for 3 days: burn 2) opens the 3 d / 6 h ticket and pages no one', () => {
    expect(firing(minutes(3 * day, 1000, 2))).toEqual(['PledgeApiAvailabilityBudgetBurnLeak']);
  });

  it('a leak of 0.4 % for a day (burn 4) opens the 1 d / 2 h ticket and the 3 d one', () => {
    // 3 d: 4 × 1/3 + 0 = 1.33 > 1 as well.
    expect(firing([...minutes(2 * day, 1000, 0), ...minutes(day, 1000, 4)])).toEqual([
      'PledgeApiAvailabilityBudgetBurnSlow',
      'PledgeApiAvailabilityBudgetBurnLeak',
    ]);
  });

  it('a blip (30 % errors for one minute) stays quiet: the 5 m window burns 60, the 1 h window only 5', () => {
    const series = [...quietDays, ...minutes(59, 1000, 0), ...minutes(1, 1000, 300)];
    const burns = burnsAtEnd(series, availability.objective);
    expect(burns['5m']).toBeCloseTo(60, 9);
    expect(burns['1h']).toBeCloseTo(5, 9);
    expect(firing(series)).toEqual([]);
  });

  it('a fast burn that ended 10 minutes ago stops paging: the 1 h window still burns, the 5 m one not', () => {
    const series = [...quietDays, ...minutes(60, 1000, 20), ...minutes(10, 1000, 0)];
    const burns = burnsAtEnd(series, availability.objective);
    expect(burns['1h']).toBeGreaterThan(14.4);
    expect(firing(series)).toEqual([]);
  });

  it('a row cannot be judged (null) when one of its windows has no data', () => {
    const row = burnRateAlertTable[3] as (typeof burnRateAlertTable)[number];
    expect(rowFires(row, availability, { '6h': 30, '3d': null })).toBeNull();
  });
});

describe('SLI events', () => {
  const counts = {
    requests: 1000,
    serverErrors: 4,
    fasterThanThreshold: 985,
    pledgeWrites: 200,
    pledgeWritesSucceeded: 199,
  };
  it('availability counts 5xx, latency the requests above the threshold bucket, writes the non-2xx ones', () => {
    const [a, l, w] = sloCatalog.map((slo) => sloEvents(slo.sli, counts));
    expect(a).toEqual({ total: 1000, bad: 4 });
    expect(l).toEqual({ total: 1000, bad: 15 });
    expect(w).toEqual({ total: 200, bad: 1 });
  });
});
