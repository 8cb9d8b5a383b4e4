// The SLO figures as PromQL for panels: each SLI's good and bad events over a window counted with the
// collector's own expressions (core/slo/slo-promql.ts, what GET /api/slo asks Prometheus), turned into
// events as core/slo/slo-events.ts does and into a burn rate and the budget left as core/slo/burn-rate.ts
// does — so a panel and the dashboard's SLO section show the same number for the same window.

import type { SliKind, SloDefinition } from '../../core/slo/slo-catalog.ts';
import { sloPromql } from '../../core/slo/slo-promql.ts';

/** Events over a window as two instant vectors without labels. */
export interface SloEventsPromql {
  readonly total: string;
  readonly bad: string;
}

/** A count that is 0, not absent, when no series matches yet (the collector reads a missing answer as 0). */
const count = (expr: string) => `(${expr} or vector(0))`;

/** The budget's share of events, 1 − objective, written as the catalog means it (0.001, not 0.0010000000000000009). */
export const errorBudgetShare = (objective: number): number => Number((1 - objective).toPrecision(12));

/** core/slo/slo-events.ts `sloEvents` in PromQL: bad never below 0. */
export function sloEventsPromql(sli: SliKind, range: string): SloEventsPromql {
  switch (sli.kind) {
    case 'availability':
      return { total: count(sloPromql.requests(range)), bad: count(sloPromql.serverErrors(range)) };
    case 'latency': {
      const total = count(sloPromql.requests(range));
      return {
        total,
        bad: `clamp_min(${total} - ${count(sloPromql.fasterThan(sli.thresholdSeconds, range))}, 0)`,
      };
    }
    case 'pledgeWrites': {
      const total = count(sloPromql.pledgeWrites(range));
      return { total, bad: `clamp_min(${total} - ${count(sloPromql.pledgeWritesSucceeded(range))}, 0)` };
    }
  }
}

/**
 * Error ratio ÷ (1 − objective) over `range`. No series while the window has no events: no traffic is no
 * ratio, never a perfect 0.
 */
export function burnRatePromql(slo: Pick<SloDefinition, 'sli' | 'objective'>, range: string): string {
  const { total, bad } = sloEventsPromql(slo.sli, range);
  return `${bad} / (${total} > 0) / ${errorBudgetShare(slo.objective)}`;
}

/** 1 − bad ÷ (total × (1 − objective)) over `range`; negative once overspent, no series without events. */
export function budgetLeftPromql(slo: Pick<SloDefinition, 'sli' | 'objective'>, range: string): string {
  const { total, bad } = sloEventsPromql(slo.sli, range);
  return `1 - ${bad} / ((${total} > 0) * ${errorBudgetShare(slo.objective)})`;
}
