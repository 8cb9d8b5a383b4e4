// The SLO panel's wording without a browser: window lengths, burn rates as factors, and every unknown figure
// as "—" with the collector's reason (or why there is none) — never a 0 that was not measured.
import { describe, expect, it } from 'vitest';
import type { SloFigures, WindowFigures } from '../../dashboard/src/lib/api-types.ts';
import {
  alertsOnWindow,
  alertUnknownReason,
  alertVerdict,
  budgetLeft,
  factorText,
  formatBurn,
  windowNote,
  windowText,
} from '../../dashboard/src/views/health/slo-text.ts';

// Only the fields the panel reads (others, e.g. coverage, may be added to the body).
const window = (over: Partial<WindowFigures>): WindowFigures =>
  ({
    window: '5m',
    seconds: 300,
    source: 'scrape',
    reason: null,
    events: { total: 100, bad: 1 },
    burnRate: 10,
    ...over,
  }) as WindowFigures;

const retention = 'the collector counts at most 259200 s itself, less than this 2592000 s window';
const slo = {
  id: 'PledgeWrites',
  description: 'pledge writes',
  objective: 0.999,
  windowSeconds: 2_592_000,
  sli: { window: '5m', value: 0.99 },
  errorBudget: { left: null, source: 'insufficient-retention', reason: retention, events: null },
  burnRates: [
    window({ window: '5m', seconds: 300, burnRate: 20 }),
    window({ window: '1h', seconds: 3_600, burnRate: null, events: { total: 0, bad: 0 } }),
  ],
  alerts: [
    {
      alertname: 'PledgeWritesBudgetBurnFast',
      severity: 'page',
      longWindow: '1h',
      shortWindow: '5m',
      factor: 14.4,
      burn: null,
      wouldFire: null,
    },
  ],
} as unknown as SloFigures;

describe('SLO panel wording', () => {
  it('windowText writes window lengths in their largest whole unit', () => {
    expect([300, 1_800, 3_600, 7_200, 86_400, 2_592_000, 90].map(windowText)).toEqual([
      '5 min',
      '30 min',
      '1 h',
      '2 h',
      '1 d',
      '30 d',
      '90 s',
    ]);
  });

  it('formatBurn writes a burn rate as a factor, and a missing one as "—" with the reason', () => {
    expect(formatBurn(0, 'x')).toEqual({ text: '0.00×' });
    expect(formatBurn(9.054, 'x')).toEqual({ text: '9.05×' });
    expect(formatBurn(34.49, 'x')).toEqual({ text: '34.5×' });
    expect(formatBurn(250.4, 'x')).toEqual({ text: '250×' });
    expect(formatBurn(null, 'not kept')).toEqual({ text: '—', reason: 'not kept' });
    expect(factorText(14.4)).toBe('14.4×');
    expect(factorText(6)).toBe('6×');
  });

  it("windowNote gives the collector's reason for a window it could not measure, and why a window has no ratio", () => {
    expect(windowNote(window({ source: 'insufficient-retention', reason: retention, burnRate: null }))).toBe(
      `not measured: ${retention}`,
    );
    expect(windowNote(window({ burnRate: null, events: { total: 0, bad: 0 } }))).toMatch(/no ratio/);
    expect(windowNote(window({ reason: 'counted over 60 s of the 300 s window' }))).toBe(
      'counted over 60 s of the 300 s window',
    );
    expect(windowNote(window({}))).toBeNull();
    expect(budgetLeft(slo)).toEqual({ text: '—', reason: retention });
  });

  it('judges an alert would fire, stays quiet, or cannot be judged, naming the window without a burn rate', () => {
    const alert = slo.alerts[0] as SloFigures['alerts'][number];
    expect(alertVerdict(alert)).toBe('unknown');
    expect(alertVerdict({ ...alert, burn: 20, wouldFire: true })).toBe('fires');
    expect(alertVerdict({ ...alert, burn: 1, wouldFire: false })).toBe('quiet');
    expect(alertUnknownReason(slo, alert)).toBe('no burn rate over 1 h (see the table above)');
    expect(alertsOnWindow(slo, '5m').map((a) => a.alertname)).toEqual(['PledgeWritesBudgetBurnFast']);
    expect(alertsOnWindow(slo, '2h')).toEqual([]);
  });
});
