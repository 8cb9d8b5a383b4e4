// Pure derivations of the health series, with every expected number worked out by hand: Prometheus's
// histogram_quantile (interpolation, the lowest bucket from 0, the +Inf bucket), counter increases across a
// reset, and the ring buffer's fixed capacity.
import { describe, expect, it } from 'vitest';
import { counterIncrease, perSecond, ratio } from '../../collector/health/counter-delta.ts';
import { histogramQuantile } from '../../collector/health/histogram-quantile.ts';
import { RingBuffer } from '../../collector/health/ring-buffer.ts';

// 50 observations: 10 ≤ 0.1 s, 20 in (0.1, 0.5], 10 in (0.5, 1], 10 above 1 s.
const buckets = [
  { le: 0.1, count: 10 },
  { le: 0.5, count: 30 },
  { le: 1, count: 40 },
  { le: Number.POSITIVE_INFINITY, count: 50 },
];

describe('histogramQuantile', () => {
  it('interpolates linearly inside the bucket that holds the rank', () => {
    // q=0.5: rank 25 falls in (0.1, 0.5] holding 20; 15 of them → 0.1 + 0.4 × 15/20 = 0.4
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.4, 12);
    // q=0.8: rank 40 is the top of (0.5, 1] → 0.5 + 0.5 × 10/10 = 1
    expect(histogramQuantile(0.8, buckets)).toBeCloseTo(1, 12);
  });

  it('starts the lowest bucket at zero', () => {
    // q=0.1: rank 5 in [0, 0.1] holding 10 → 0.1 × 5/10 = 0.05
    expect(histogramQuantile(0.1, buckets)).toBeCloseTo(0.05, 12);
  });

  it('answers the highest finite bound when the rank falls in the +Inf bucket', () => {
    // q=0.95: rank 47.5 > 40 (the count ≤ 1 s) → Prometheus returns 1, not +Inf
    expect(histogramQuantile(0.95, buckets)).toBe(1);
  });

  it('is null for an interval with no observations, and without a +Inf bucket', () => {
    expect(
      histogramQuantile(
        0.95,
        buckets.map((b) => ({ ...b, count: 0 })),
      ),
    ).toBeNull();
    expect(histogramQuantile(0.5, buckets.slice(0, 3))).toBeNull();
    expect(histogramQuantile(0.5, [])).toBeNull();
  });

  it('does not depend on the order of the buckets and adds up equal bounds', () => {
    expect(histogramQuantile(0.5, [...buckets].reverse())).toBeCloseTo(0.4, 12);
    // Two halves of the same histogram (le repeated) behave as their sum.
    const halves = buckets.flatMap((b) => [
      { le: b.le, count: b.count / 2 },
      { le: b.le, count: b.count / 2 },
    ]);
    expect(histogramQuantile(0.5, halves)).toBeCloseTo(0.4, 12);
  });
});

describe('counter increase', () => {
  it('is the difference while the counter grows', () => {
    expect(counterIncrease(10, 15)).toBe(5);
    expect(counterIncrease(15, 15)).toBe(0);
  });

  it('is the new value after a reset between two scrapes, like Prometheus rate', () => {
    // 15 before the restart, 4 after: the process counted 4 since it started again.
    expect(counterIncrease(15, 4)).toBe(4);
  });

  it('gives null rates and ratios over nothing', () => {
    expect(perSecond(10, 5)).toBe(2);
    expect(perSecond(10, 0)).toBeNull();
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(0, 0)).toBeNull();
  });
});

describe('RingBuffer', () => {
  it('stays at capacity and keeps the newest entries, oldest first', () => {
    const ring = new RingBuffer<number>(4);
    for (let i = 0; i < 10; i++) ring.push(i);
    expect(ring.length).toBe(4);
    expect(ring.toArray()).toEqual([6, 7, 8, 9]);
    expect(ring.newest()).toBe(9);
    expect(ring.newestWhile((n) => n >= 8)).toEqual([8, 9]);
  });
});
