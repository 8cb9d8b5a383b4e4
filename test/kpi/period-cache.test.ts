// The period cache's bound: never more than maxPeriods, the least recently used dropped first, and
// invalidation by the change log unchanged.
import { describe, expect, it } from 'vitest';
import { assemblePeriod, type PeriodFacts } from '../../core/kpi/assemble.ts';
import { PeriodCache } from '../../core/kpi/period-cache.ts';
import { listPeriods, type Period } from '../../core/kpi/periods.ts';

const days = listPeriods(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-31T00:00:00Z'), 'day');
const emptyPeriod = (period: Period) =>
  assemblePeriod(
    period,
    { users: 0, pledgers: 0, mrrCents: 0 },
    { registrations: 0, conversionCohort: 0, conversionConverted: 0, movements: undefined },
  );
const facts = days.map(emptyPeriod);
const startOf = (i: number) => (days.at(i) as Period).start;
const factsOf = (i: number) => facts.at(i) as PeriodFacts;
const cachedDays = (cache: PeriodCache) =>
  days.filter((day) => cache.get('day', day.start)).map((day) => day.start.toISOString().slice(8, 10));

describe('PeriodCache', () => {
  it('holds at most maxPeriods, however many periods are set', () => {
    const cache = new PeriodCache(10);
    for (const period of facts) {
      cache.set('day', period);
      expect(cache.size).toBeLessThanOrEqual(10);
    }
    expect(cache.size).toBeGreaterThanOrEqual(9);
    // The latest ones are kept.
    expect(cache.get('day', startOf(-1))).toBe(factsOf(-1));
  });

  it('drops the least recently used first: a period read is kept over one set later', () => {
    const cache = new PeriodCache(10);
    for (const period of facts.slice(0, 10)) cache.set('day', period);
    expect(cache.get('day', startOf(0))).toBe(factsOf(0));
    cache.set('day', factsOf(10));
    const kept = cachedDays(cache);
    expect(kept).toContain('01');
    expect(kept).toContain('11');
    expect(kept).not.toContain('02');
  });

  it('keeps the same start under different intervals apart', () => {
    const cache = new PeriodCache(10);
    const [month] = listPeriods(startOf(0), new Date('2026-02-01T00:00:00Z'), 'month');
    const monthFacts = emptyPeriod(month as Period);
    cache.set('day', factsOf(0));
    cache.set('month', monthFacts);
    expect(cache.get('day', startOf(0))).toBe(factsOf(0));
    expect(cache.get('month', startOf(0))).toBe(monthFacts);
  });

  it('still drops every period ending after a changed instant', () => {
    const cache = new PeriodCache(100);
    for (const period of facts) cache.set('day', period);
    cache.invalidateFrom(new Date('2026-01-20T12:00:00Z'));
    expect(cachedDays(cache)).toEqual(days.slice(0, 19).map((day) => day.start.toISOString().slice(8, 10)));
  });

  it('refuses a limit below one period', () => {
    expect(() => new PeriodCache(0)).toThrow(RangeError);
  });
});
