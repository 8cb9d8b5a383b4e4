// Error-budget arithmetic as the Google SRE workbook defines it. A window without events has no ratio:
// null, never 0 (no traffic is not a perfect service).
import type { SloEvents } from './slo-events.ts';

/** bad ÷ total over a window. */
export function errorRatio(events: SloEvents): number | null {
  return events.total > 0 ? events.bad / events.total : null;
}

/** good ÷ total: the SLI. */
export function sliValue(events: SloEvents): number | null {
  const ratio = errorRatio(events);
  return ratio === null ? null : 1 - ratio;
}

/** Error ratio ÷ (1 − objective): 1 spends the budget exactly over the SLO window, 14.4 in 1/14.4 of it. */
export function burnRate(events: SloEvents, objective: number): number | null {
  const ratio = errorRatio(events);
  return ratio === null ? null : ratio / (1 - objective);
}

/** 1 − bad ÷ (total × (1 − objective)) over the SLO window; negative once the budget is overspent. */
export function budgetLeft(events: SloEvents, objective: number): number | null {
  return events.total > 0 ? 1 - events.bad / (events.total * (1 - objective)) : null;
}
