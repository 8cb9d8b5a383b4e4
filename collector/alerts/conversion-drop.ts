// The conversion-drop figure of the ConversionDropped rule: how far 30-day conversion of the last mature
// month fell below the months before it. Only mature months count (DESIGN.md: a month's conversion is
// final 30 days after it ends); an immature month always looks low because its late registrants have not
// had their 30 days yet.

export interface ConversionPeriod {
  readonly periodStart: string;
  readonly cohort: number;
  readonly converted: number;
  readonly mature: boolean;
}

export interface ConversionDrop {
  /** (trailingRate − currentRate) ÷ trailingRate: 0.25 means a quarter below; negative is an improvement. */
  readonly relativeDrop: number | null;
  readonly currentRate: number | null;
  /** Pooled: Σ converted ÷ Σ cohort over the trailing months, so a small month weighs less than a big one. */
  readonly trailingRate: number | null;
  /** The last mature month's cohort size (the rule's minimum-sample guard). */
  readonly cohort: number;
}

/** null when there are fewer than trailingPeriods + 1 mature months (too little history to compare). */
export function conversionDrop(
  series: readonly ConversionPeriod[],
  trailingPeriods: number,
): ConversionDrop | null {
  const mature = series.filter((period) => period.mature);
  if (mature.length < trailingPeriods + 1) return null;
  const current = mature.at(-1) as ConversionPeriod;
  const trailing = mature.slice(-(trailingPeriods + 1), -1);
  const trailingCohort = trailing.reduce((sum, period) => sum + period.cohort, 0);
  const trailingConverted = trailing.reduce((sum, period) => sum + period.converted, 0);
  const currentRate = current.cohort > 0 ? current.converted / current.cohort : null;
  const trailingRate = trailingCohort > 0 ? trailingConverted / trailingCohort : null;
  const relativeDrop =
    currentRate !== null && trailingRate !== null && trailingRate > 0
      ? (trailingRate - currentRate) / trailingRate
      : null;
  return { relativeDrop, currentRate, trailingRate, cohort: current.cohort };
}
