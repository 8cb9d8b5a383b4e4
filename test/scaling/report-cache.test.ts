// The scaling report kept for /metrics (collector/scaling/report-cache.ts), with a stub service and a clock
// moved by hand: reused while younger than its maximum age, refreshed by every report() (GET /api/scaling,
// the alerts' re-read), shared by concurrent scrapes, and dropped by a manual record.
import { describe, expect, it } from 'vitest';
import { cacheScalingReports } from '../../collector/scaling/report-cache.ts';
import type { ScalingService } from '../../collector/scaling/scaling-service.ts';
import type { ScalingItemView, ScalingReport } from '../../collector/scaling/scaling-types.ts';

function stubService() {
  let evaluations = 0;
  const service: ScalingService = {
    async report() {
      evaluations += 1;
      return { generatedAt: String(evaluations) } as unknown as ScalingReport;
    },
    async record() {
      return {} as ScalingItemView;
    },
    async history() {
      return [];
    },
  };
  return { service, evaluations: () => evaluations };
}

describe('the scaling report cache', () => {
  it('reuses a report younger than maxAgeMs and evaluates again after', async () => {
    let now = 0;
    const stub = stubService();
    const cached = cacheScalingReports(stub.service, { maxAgeMs: 60_000, now: () => now });
    expect((await cached.recent()).generatedAt).toBe('1');
    now = 59_999;
    expect((await cached.recent()).generatedAt).toBe('1');
    now = 60_000;
    expect((await cached.recent()).generatedAt).toBe('2');
    expect(stub.evaluations()).toBe(2);
  });

  it('keeps what report() evaluated, shares one evaluation between concurrent callers', async () => {
    const stub = stubService();
    const cached = cacheScalingReports(stub.service, { now: () => 0 });
    const [a, b] = await Promise.all([cached.recent(), cached.recent()]);
    expect(a).toBe(b);
    expect((await cached.report()).generatedAt).toBe('2');
    expect((await cached.recent()).generatedAt).toBe('2');
    expect(stub.evaluations()).toBe(2);
  });

  it('evaluates again after a manual record', async () => {
    const stub = stubService();
    const cached = cacheScalingReports(stub.service, { now: () => 0 });
    await cached.recent();
    await cached.record('cdn', { done: true, recordedBy: 'ops' });
    expect((await cached.recent()).generatedAt).toBe('2');
  });
});
