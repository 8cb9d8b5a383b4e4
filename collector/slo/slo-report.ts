// GET /api/slo's body: per objective the SLI now (over 5 m), the error budget left over the SLO window, the
// burn rate over every window of the alert table and which burn-rate alert's condition holds. A window
// longer than the source keeps says so (`insufficient-retention`, null figures) instead of a guess.
import { budgetLeft, burnRate, sliValue } from '../../core/slo/burn-rate.ts';
import {
  type BurnSeverity,
  burnAlertName,
  burnFactor,
  burnRateAlertTable,
  rowBurn,
} from '../../core/slo/burn-rate-alerts.ts';
import type { SloDefinition, SloId } from '../../core/slo/slo-catalog.ts';
import { type SloEvents, sloEvents } from '../../core/slo/slo-events.ts';
import { type BurnWindow, burnWindowNames, burnWindows } from '../../core/slo/slo-windows.ts';
import type { TrafficSource } from './traffic-source.ts';
import { trafficCounts, type WindowTraffic } from './window-traffic.ts';

export type FigureSource = 'scrape' | 'prometheus' | 'insufficient-retention';

export interface WindowFigures {
  readonly window: BurnWindow | 'slo';
  readonly seconds: number;
  readonly source: FigureSource;
  /** Why the figures are null when the source is insufficient-retention. */
  readonly reason: string | null;
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
    readonly events: SloEvents | null;
  };
  readonly burnRates: readonly WindowFigures[];
  readonly alerts: readonly BurnAlertFigures[];
}

export interface SloReport {
  readonly source: TrafficSource['kind'];
  readonly generatedAt: string;
  /** What the collector keeps itself (HEALTH_RETENTION); null when Prometheus answers. */
  readonly retentionSeconds: number | null;
  readonly slos: readonly SloFigures[];
}

const shortfall = (seconds: number, retention: number) =>
  `the collector keeps ${retention} s of health (HEALTH_RETENTION), less than this ${seconds} s window; set PROMETHEUS_URL for it`;

export async function buildSloReport(
  catalog: readonly SloDefinition[],
  source: TrafficSource,
  now: () => number = Date.now,
): Promise<SloReport> {
  const thresholds = [
    ...new Set(catalog.flatMap((slo) => (slo.sli.kind === 'latency' ? [slo.sli.thresholdSeconds] : []))),
  ];
  const lengths = [...new Set([...Object.values(burnWindows), ...catalog.map((slo) => slo.windowSeconds)])];
  const counted = new Map<number, WindowTraffic | null>();
  await Promise.all(
    lengths.map(async (seconds) => {
      const kept = source.retentionSeconds === null || seconds <= source.retentionSeconds;
      counted.set(seconds, kept ? await source.traffic(seconds, thresholds) : null);
    }),
  );
  const figures = (slo: SloDefinition, window: BurnWindow | 'slo', seconds: number): WindowFigures => {
    const traffic = counted.get(seconds) ?? null;
    const threshold = slo.sli.kind === 'latency' ? slo.sli.thresholdSeconds : 0;
    const events = traffic ? sloEvents(slo.sli, trafficCounts(traffic, threshold)) : null;
    return {
      window,
      seconds,
      source: traffic ? source.kind : 'insufficient-retention',
      reason: traffic ? null : shortfall(seconds, source.retentionSeconds ?? 0),
      events,
      burnRate: events ? burnRate(events, slo.objective) : null,
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
