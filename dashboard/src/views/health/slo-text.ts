// How the Service-level objectives panel words GET /api/slo: window lengths, burn rates as factors
// ("0.42×"), the budget left as a percentage, and every unknown figure as "—" with the collector's reason
// (or why there is none: no traffic in the window) — never a 0 that was not measured.
import type { BurnAlertFigures, SloFigures, WindowFigures } from '../../lib/api-types.ts';
import { formatRatio, missing, type Shown } from '../../lib/format.ts';

/** 300 → "5 min", 7200 → "2 h", 2592000 → "30 d". */
export function windowText(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** What a window without a figure says: the collector's reason, or that nothing happened in it. */
export function unknownReason(reason: string | null): string {
  return (
    reason ??
    'nothing this objective counts happened in this window: no ratio (no traffic is not a perfect service)'
  );
}

/** A burn rate as a factor of the budget's even spend: "0.42×", "14.4×", "120×". */
export function formatBurn(rate: number | null, reason: string): Shown {
  if (rate === null || !Number.isFinite(rate)) return missing(reason);
  return { text: `${rate < 10 ? rate.toFixed(2) : rate < 100 ? rate.toFixed(1) : rate.toFixed(0)}×` };
}

/** A factor of the alert table (14.4, 6, 3, 1) as written in the workbook. */
export const factorText = (factor: number): string => `${Number(factor.toPrecision(4))}×`;

export function windowBurn(figures: WindowFigures): Shown {
  return formatBurn(figures.burnRate, unknownReason(figures.reason));
}

/** The line under a window's row: why it has no figure, or why its figure covers less than the window. */
export function windowNote(figures: Pick<WindowFigures, 'source' | 'reason' | 'burnRate'>): string | null {
  if (figures.source === 'insufficient-retention') return `not measured: ${unknownReason(figures.reason)}`;
  if (figures.burnRate === null) return unknownReason(figures.reason);
  return figures.reason;
}

export function budgetLeft(slo: SloFigures): Shown {
  return formatRatio(slo.errorBudget.left, unknownReason(slo.errorBudget.reason), 1);
}

export function sliNow(slo: SloFigures): Shown {
  return formatRatio(slo.sli.value, unknownReason(null), 2);
}

/** The burn-rate alerts comparing a window's burn rate with their factor (as long or short window). */
export function alertsOnWindow(slo: SloFigures, window: string): BurnAlertFigures[] {
  return slo.alerts.filter((alert) => alert.longWindow === window || alert.shortWindow === window);
}

export type AlertVerdict = 'fires' | 'quiet' | 'unknown';

export function alertVerdict(alert: BurnAlertFigures): AlertVerdict {
  return alert.wouldFire === null ? 'unknown' : alert.wouldFire ? 'fires' : 'quiet';
}

/** Why an alert cannot be judged: which of its windows has no burn rate (the table above says why). */
export function alertUnknownReason(slo: SloFigures, alert: BurnAlertFigures): string {
  const unmeasured = slo.burnRates
    .filter((f) => (f.window === alert.longWindow || f.window === alert.shortWindow) && f.burnRate === null)
    .map((f) => windowText(f.seconds));
  return `no burn rate over ${unmeasured.length > 0 ? unmeasured.join(' and ') : 'its windows'} (see the table above)`;
}
