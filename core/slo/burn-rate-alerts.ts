// The multi-window, multi-burn-rate alert table of the SRE workbook: an alert fires while the burn rate
// exceeds its factor over BOTH its long window (enough budget is really gone) and its short one (it is still
// burning — so it resolves within the short window once the incident ends). The factor is the share of the
// budget the long window may spend, scaled to the SLO window: for 30 days exactly 14.4, 6, 3 and 1.
import type { SloDefinition, SloId } from './slo-catalog.ts';
import { type BurnWindow, burnWindows } from './slo-windows.ts';

export type BurnSeverity = 'page' | 'ticket';

export type BurnRowName = 'Fast' | 'Steady' | 'Slow' | 'Leak';

export interface BurnRateAlertRow {
  /** Suffix of the alert name: `${slo.id}BudgetBurn${row.name}`. */
  readonly name: BurnRowName;
  readonly severity: BurnSeverity;
  readonly longWindow: BurnWindow;
  readonly shortWindow: BurnWindow;
  /** Share of the whole budget spent over the long window at the threshold. */
  readonly budgetSpent: number;
}

export const burnRateAlertTable: readonly BurnRateAlertRow[] = [
  { name: 'Fast', severity: 'page', longWindow: '1h', shortWindow: '5m', budgetSpent: 0.02 },
  { name: 'Steady', severity: 'page', longWindow: '6h', shortWindow: '30m', budgetSpent: 0.05 },
  { name: 'Slow', severity: 'ticket', longWindow: '1d', shortWindow: '2h', budgetSpent: 0.1 },
  { name: 'Leak', severity: 'ticket', longWindow: '3d', shortWindow: '6h', budgetSpent: 0.1 },
];

/** The burn rate above which the row fires: 14.4 for 2 % of a 30-day budget in 1 h. */
export function burnFactor(row: BurnRateAlertRow, slo: Pick<SloDefinition, 'windowSeconds'>): number {
  return Math.round(((row.budgetSpent * slo.windowSeconds) / burnWindows[row.longWindow]) * 1e6) / 1e6;
}

export type BurnAlertName = `${SloId}BudgetBurn${BurnRowName}`;

export function burnAlertName(
  slo: Pick<SloDefinition, 'id'>,
  row: Pick<BurnRateAlertRow, 'name'>,
): BurnAlertName {
  return `${slo.id}BudgetBurn${row.name}`;
}

export type BurnRates = Readonly<Partial<Record<BurnWindow, number | null>>>;

/**
 * The smaller of the two windows' burn rates: the row fires when this exceeds its factor (both windows
 * do). null when either window is unknown (no traffic, or longer than the data kept).
 */
export function rowBurn(row: BurnRateAlertRow, burns: BurnRates): number | null {
  const long = burns[row.longWindow] ?? null;
  const short = burns[row.shortWindow] ?? null;
  return long === null || short === null ? null : Math.min(long, short);
}

/** Whether the row's condition holds now; null when it cannot be judged. */
export function rowFires(
  row: BurnRateAlertRow,
  slo: Pick<SloDefinition, 'windowSeconds'>,
  burns: BurnRates,
): boolean | null {
  const burn = rowBurn(row, burns);
  return burn === null ? null : burn > burnFactor(row, slo);
}
