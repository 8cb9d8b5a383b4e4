// Canary / blue-green verdicts from window statistics worked out by hand: too few requests, a healthy
// candidate, a candidate degraded by errors or by latency, the canary label and the colour split.
import { describe, expect, it } from 'vitest';
import { type CanaryMember, compareCanary } from '../../collector/health/canary.ts';

const inf = Number.POSITIVE_INFINITY;
const options = { minRequests: 200, errorRatioMargin: 0.01, p95Factor: 1.5 };

/** `requests` answers, `errors` of them 5xx, `slow` of them in (0.1, 1] s, the rest ≤ 0.1 s. */
function member(
  version: string,
  firstSeen: number,
  requests: number,
  errors: number,
  slow = 0,
  extra: Partial<CanaryMember> = {},
): CanaryMember {
  return {
    version,
    color: null,
    canary: false,
    firstSeen,
    stats: {
      seconds: 60,
      requests,
      serverErrors: errors,
      latency: [
        { le: 0.1, count: requests - slow },
        { le: 1, count: requests },
        { le: inf, count: requests },
      ],
    },
    ...extra,
  };
}

describe('compareCanary', () => {
  it('has nothing to compare when every instance runs the same version and colour', () => {
    expect(compareCanary([member('1.0.0', 0, 500, 0), member('1.0.0', 10, 500, 0)], options)).toBeNull();
  });

  it('gives no verdict until both sides reach the minimum sample', () => {
    const result = compareCanary([member('1.0.0', 0, 1000, 0), member('1.1.0', 10, 199, 100)], options);
    expect(result).toMatchObject({
      verdict: 'insufficient_data',
      baseline: '1.0.0',
      candidate: '1.1.0',
      candidateRequests: 199,
    });
    expect(result?.reasons).toEqual([
      'candidate 1.1.0 has 199 requests in the window; 200 needed before a verdict',
    ]);
  });

  it('finds a candidate healthy within the error margin and the p95 factor', () => {
    // baseline 10/1000 = 1 %, candidate 9/500 = 1.8 % < 1 % + 1 point; p95 both in [0, 0.1]:
    // baseline rank 950 of 990 fast → 0.1 × 950/990 ≈ 0.09596; candidate rank 475 of 490 → ≈ 0.09694 < ×1.5
    const result = compareCanary(
      [member('1.0.0', 0, 1000, 10, 10), member('1.0.0', 0, 0, 0), member('1.1.0', 10, 500, 9, 10)],
      options,
    );
    expect(result?.verdict).toBe('healthy');
    expect(result?.baselineErrorRatio).toBeCloseTo(0.01, 12);
    expect(result?.candidateErrorRatio).toBeCloseTo(0.018, 12);
    expect(result?.baselineP95).toBeCloseTo(0.1 * (950 / 990), 12);
    expect(result?.candidateP95).toBeCloseTo(0.1 * (475 / 490), 12);
  });

  it('finds a candidate degraded by errors and by latency, with one reason for each', () => {
    // candidate: 25/500 = 5 % > 1 % + 1 point; 100 of 500 slow: rank 475 → 0.1 + 0.9 × (475 − 400)/100 = 0.775
    const result = compareCanary(
      [member('1.0.0', 0, 1000, 10, 10), member('1.1.0', 10, 500, 25, 100)],
      options,
    );
    expect(result?.verdict).toBe('degraded');
    expect(result?.candidateP95).toBeCloseTo(0.775, 12);
    expect(result?.reasons).toHaveLength(2);
    expect(result?.reasons[0]).toContain('error ratio 5.00 % exceeds baseline 1.0.0 1.00 %');
    expect(result?.reasons[1]).toContain('p95 775.0 ms exceeds baseline 1.0.0 96.0 ms × 1.5');
  });

  it('takes the instances labelled canary as the candidate even when seen first', () => {
    const result = compareCanary(
      [member('2.0.0', 0, 300, 0, 0, { canary: true }), member('1.0.0', 50, 300, 0)],
      options,
    );
    expect(result).toMatchObject({ candidate: '2.0.0', baseline: '1.0.0', verdict: 'healthy' });
  });

  it('splits by deployment colour when the versions are equal', () => {
    const result = compareCanary(
      [member('1.0.0', 0, 300, 0, 0, { color: 'blue' }), member('1.0.0', 20, 300, 0, 0, { color: 'green' })],
      options,
    );
    expect(result).toMatchObject({ splitBy: 'color', baseline: 'blue', candidate: 'green' });
  });
});
