// GET /api/slo's body: per objective the SLI now (over 5 m), the error budget left over the SLO window, the
// burn rate over every window of the alert table and which burn-rate alert's condition holds. A window
// longer than the source keeps says so (`insufficient-retention`, null figures) instead of a guess; one the
// collector has not been counting for as long says how much of it the figures cover (`coverageSeconds`).
import { budgetLeft, sliValue } from '../../core/slo/burn-rate.ts';
import {
  type BurnSeverity,
  burnAlertName,
  burnFactor,
  burnRateAlertTable,
  rowBurn,
} from '../../core/slo/burn-rate-alerts.ts';
import type { SloDefinition, SloId } from '../../core/slo/slo-catalog.ts';
import type { SloEvents } from '../../core/slo/slo-events.ts';
import { type BurnWindow, burnWindowNames, burnWindows } from '../../core/slo/slo-windows.ts';
import { type CountedWindow, countWindows, windowBurn } from './slo-burns.ts';
import type { TrafficSource } from './traffic-source.ts';

export type FigureSource = 'scrape' | 'prometheus' | 'insufficient-retention';

export interface WindowFigures {
  readonly window: BurnWindow | 'slo';
  readonly seconds: number;
  readonly source: FigureSource;
  /**
   * Why the figures are null when the source is insufficient-retention, or why they cover less than the
   * window (coverageSeconds); null otherwise.
   */
  readonly reason: string | null;
  /**
   * Seconds of the window the figures count: less than `seconds` while the collector has not scraped that
   * long (its counts are in memory); null when null figures, or when Prometheus answers.
   */
  readonly coverageSeconds: number | null;
  readonly events: SloEvents | null;
  readonly burnRate: number | null;
}

export interface BurnAlertFigures {
  readonly alertname: string;
  readonly severity: BurnSeverity;
  readonly longWindow: BurnWindow;
  readonly shortWindow: BurnWindow;
  readonly factor: number;
  /** The smaller of the two windows' burn rates; the alert's condition is burn > factor. */
  readonly burn: number | null;
  /** null when a window could not be measured. */
  readonly wouldFire: boolean | null;
}

export interface SloFigures {
  readonly id: SloId;
  readonly description: string;
  readonly objective: number;
  readonly windowSeconds: number;
  readonly sli: { readonly window: '5m'; readonly value: number | null };
  readonly errorBudget: {
    readonly left: number | null;
    readonly source: FigureSource;
    readonly reason: string | null;
    readonly coverageSeconds: number | null;
    readonly events: SloEvents | null;
  };
  readonly burnRates: readonly WindowFigures[];
  readonly alerts: readonly BurnAlertFigures[];
}

export interface SloReport {
  readonly source: TrafficSource['kind'];
  readonly generatedAt: string;
  /**
   * The longest window the collector counts itself: HEALTH_RETENTION, or the SLO ledger's 3 days when that
   * is longer; null when Prometheus answers.
   */
  readonly retentionSeconds: number | null;
  readonly slos: readonly SloFigures[];
}

const shortfall = (seconds: number, retention: number) =>
  `the collector counts at most ${retention} s itself (its per-minute SLO ledger, or HEALTH_RETENTION when longer), less than this ${seconds} s window; set PROMETHEUS_URL for it`;

const partial = (seconds: number, coverage: number) =>
  `counted over the ${coverage} s the collector has been scraping, not the whole ${seconds} s window: its counts are kept in memory since it started; set PROMETHEUS_URL for counts that outlive a restart`;

function reasonFor(seconds: number, counted: CountedWindow | undefined, retention: number): string | null {
  if (!counted?.traffic) return shortfall(seconds, retention);
  const coverage = counted.coverageSeconds;
  return coverage !== null && coverage < seconds ? partial(seconds, coverage) : null;
}

export async function buildSloReport(
  catalog: readonly SloDefinition[],
  source: TrafficSource,
  now: () => number = Date.now,
): Promise<SloReport> {
  const counted = await countWindows(source, catalog, [
    ...Object.values(burnWindows),
    ...catalog.map((slo) => slo.windowSeconds),
  ]);
  const figures = (slo: SloDefinition, window: BurnWindow | 'slo', seconds: number): WindowFigures => {
    const count = counted.get(seconds);
    const traffic = count?.traffic ?? null;
    return {
      window,
      seconds,
      source: traffic ? source.kind : 'insufficient-retention',
      reason: reasonFor(seconds, count, source.retentionSeconds ?? 0),
      coverageSeconds: traffic ? (count?.coverageSeconds ?? null) : null,
      ...windowBurn(slo, traffic),
    };
  };
  const slos = catalog.map((slo): SloFigures => {
    const burnRates = burnWindowNames.map((name) => figures(slo, name, burnWindows[name]));
    const byWindow = Object.fromEntries(burnRates.map((f) => [f.window, f.burnRate]));
    const budget = figures(slo, 'slo', slo.windowSeconds);
    const shortest = burnRates[0]?.events ?? null;
    return {
      id: slo.id,
      description: slo.description,
      objective: slo.objective,
      windowSeconds: slo.windowSeconds,
      sli: { window: '5m', value: shortest ? sliValue(shortest) : null },
      errorBudget: {
        left: budget.events ? budgetLeft(budget.events, slo.objective) : null,
        source: budget.source,
        reason: budget.reason,
        coverageSeconds: budget.coverageSeconds,
        events: budget.events,
      },
      burnRates,
      alerts: burnRateAlertTable.map((row) => {
        const burn = rowBurn(row, byWindow);
        const factor = burnFactor(row, slo);
        return {
          alertname: burnAlertName(slo, row),
          severity: row.severity,
          longWindow: row.longWindow,
          shortWindow: row.shortWindow,
          factor,
          burn,
          wouldFire: burn === null ? null : burn > factor,
        };
      }),
    };
  });
  return {
    source: source.kind,
    generatedAt: new Date(now()).toISOString(),
    retentionSeconds: source.retentionSeconds,
    slos,
  };
}
