// The KPI report shapes fixed by DESIGN.md ("KPI API and CLI"): the same JSON from `pulse kpis` and
// `GET /api/kpis`. Counts and cents are integers; arpu/arppu are unrounded numbers; a rate whose
// denominator is 0 is null. DESIGN.md lets fields be added beside its own (which never change): those are
// listed apart, in kpiPeriodAddedFields, and come after the DESIGN.md ones.

export type KpiInterval = 'day' | 'week' | 'month';

export interface KpiRequest {
  /** First day covered (YYYY-MM-DD, UTC); aligned down to the interval boundary. */
  readonly from: string;
  /** Periods start strictly before this day (YYYY-MM-DD, UTC). */
  readonly to: string;
  readonly interval: KpiInterval;
  /** The evaluation instant for `conversionMature` (default: now). */
  readonly asOf?: Date;
}

export interface KpiPeriod {
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly registrations: number;
  readonly usersAtEnd: number;
  readonly pledgersAtStart: number;
  readonly pledgersAtEnd: number;
  readonly mrrStartCents: number;
  readonly mrrEndCents: number;
  readonly newMrrCents: number;
  readonly reactivationMrrCents: number;
  readonly expansionMrrCents: number;
  readonly contractionMrrCents: number;
  readonly churnedMrrCents: number;
  readonly churnedPledgers: number;
  readonly logoChurnRate: number | null;
  readonly grossMrrChurnRate: number | null;
  readonly netMrrRetention: number | null;
  readonly conversionCohort: number;
  readonly conversionConverted: number;
  readonly conversionRate: number | null;
  readonly conversionMature: boolean;
  readonly arpuCents: number | null;
  readonly arppuCents: number | null;
  /**
   * Added beside the DESIGN.md fields (issue 13): how many of the period's churn and contraction movements
   * rest on a cancel instant the legacy SQLite import estimated (queries/kpi/mrr-movements.sql).
   */
  readonly estimatedChurnMovements: number;
}

export interface KpiReport {
  readonly interval: KpiInterval;
  readonly currency: string;
  /** ISO-8601 UTC. */
  readonly asOf: string;
  /** True when the numbers come from a cache that could not be refreshed (database unreachable). */
  readonly stale: boolean;
  readonly periods: readonly KpiPeriod[];
}

/** The DESIGN.md fields of a period in their order, used for CSV output and for exact-shape checks. */
export const kpiPeriodFields = [
  'periodStart',
  'periodEnd',
  'registrations',
  'usersAtEnd',
  'pledgersAtStart',
  'pledgersAtEnd',
  'mrrStartCents',
  'mrrEndCents',
  'newMrrCents',
  'reactivationMrrCents',
  'expansionMrrCents',
  'contractionMrrCents',
  'churnedMrrCents',
  'churnedPledgers',
  'logoChurnRate',
  'grossMrrChurnRate',
  'netMrrRetention',
  'conversionCohort',
  'conversionConverted',
  'conversionRate',
  'conversionMature',
  'arpuCents',
  'arppuCents',
] as const satisfies readonly (keyof KpiPeriod)[];

/** The fields added beside DESIGN.md's (which it allows); they follow the DESIGN.md fields everywhere. */
export const kpiPeriodAddedFields = [
  'estimatedChurnMovements',
] as const satisfies readonly (keyof KpiPeriod)[];

/** Every field of a period, in output order: the DESIGN.md fields, then the added ones. */
export const kpiPeriodOutputFields = [...kpiPeriodFields, ...kpiPeriodAddedFields] as const;
