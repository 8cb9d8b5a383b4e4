// The collector judges a burn-rate row only once it has counted for the row's short window: just after a
// start, a "1-day" burn over two minutes of start-up traffic must not open tickets. Prometheus (no count of
// its own) is judged at once, as the generated rules are.
import { describe, expect, it } from 'vitest';
import { burnInputValues } from '../../collector/alerts/burn-inputs.ts';
import type { SloBurnRates } from '../../collector/slo/slo-burns.ts';

const everyWindowAt = (burn: number) =>
  Object.fromEntries(['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => [w, burn]));
const rates: SloBurnRates = { PledgeApiLatency: everyWindowAt(20) };
const latency = (values: ReturnType<typeof burnInputValues>) => [
  values.PledgeApiLatencyBurnFast,
  values.PledgeApiLatencyBurnSteady,
  values.PledgeApiLatencyBurnSlow,
  values.PledgeApiLatencyBurnLeak,
];

describe('burn-rate inputs just after a start', () => {
  it('are unknown until the collector has counted for each row’s short window (5m, 30m, 2h, 6h)', () => {
    expect(latency(burnInputValues(rates, 120))).toEqual([null, null, null, null]);
    expect(latency(burnInputValues(rates, 300))).toEqual([20, null, null, null]);
    expect(latency(burnInputValues(rates, 1_800))).toEqual([20, 20, null, null]);
    expect(latency(burnInputValues(rates, 7_200))).toEqual([20, 20, 20, null]);
    expect(latency(burnInputValues(rates, 21_600))).toEqual([20, 20, 20, 20]);
  });

  it('are judged at once when the source does not say how long it has counted (Prometheus)', () => {
    expect(latency(burnInputValues(rates, null))).toEqual([20, 20, 20, 20]);
  });
});
