// Each SLO's events and burn rate per window, from one count per window length asked of the traffic source:
// GET /api/slo reports them (slo-report.ts) and the collector's burn-rate alerts read them
// (alerts/gather-inputs.ts), so the page and the report never disagree on a number.
import { burnRate } from '../../core/slo/burn-rate.ts';
import type { BurnRates } from '../../core/slo/burn-rate-alerts.ts';
import type { SloDefinition, SloId } from '../../core/slo/slo-catalog.ts';
import { type SloEvents, sloEvents } from '../../core/slo/slo-events.ts';
import { burnWindowNames, burnWindows } from '../../core/slo/slo-windows.ts';
import type { TrafficSource } from './traffic-source.ts';
import { trafficCounts, type WindowTraffic } from './window-traffic.ts';

/** One window's counts: null when the window is longer than the source keeps (never a guess). */
export interface CountedWindow {
  readonly traffic: WindowTraffic | null;
  /** Seconds of the window the counts cover; null when the source does not say (Prometheus). */
  readonly coverageSeconds: number | null;
}

/** By window length in seconds. */
export type WindowCounts = ReadonlyMap<number, CountedWindow>;

/** Each SLO's burn rate per burn window (null: no events, or the window is not kept). */
export type SloBurnRates = Readonly<Partial<Record<SloId, BurnRates>>>;

/** The catalog's latency thresholds (each a histogram bucket bound), once each. */
export function sloLatencyThresholds(catalog: readonly SloDefinition[]): number[] {
  return [
    ...new Set(catalog.flatMap((slo) => (slo.sli.kind === 'latency' ? [slo.sli.thresholdSeconds] : []))),
  ];
}

/** Counts every window length once, all at the same time. */
export async function countWindows(
  source: TrafficSource,
  catalog: readonly SloDefinition[],
  lengths: readonly number[],
): Promise<WindowCounts> {
  const thresholds = sloLatencyThresholds(catalog);
  const counted = await Promise.all(
    [...new Set(lengths)].map(async (seconds): Promise<[number, CountedWindow]> => {
      const kept = source.retentionSeconds === null || seconds <= source.retentionSeconds;
      return [
        seconds,
        {
          traffic: kept ? await source.traffic(seconds, thresholds) : null,
          coverageSeconds: kept ? (source.coverageSeconds?.(seconds) ?? null) : null,
        },
      ];
    }),
  );
  return new Map(counted);
}

/** One SLO's events and burn rate over a window; null figures when the window was not counted. */
export function windowBurn(
  slo: SloDefinition,
  traffic: WindowTraffic | null,
): { readonly events: SloEvents | null; readonly burnRate: number | null } {
  if (!traffic) return { events: null, burnRate: null };
  const threshold = slo.sli.kind === 'latency' ? slo.sli.thresholdSeconds : 0;
  const events = sloEvents(slo.sli, trafficCounts(traffic, threshold));
  return { events, burnRate: burnRate(events, slo.objective) };
}

/** Every SLO's burn rate over every burn window: what the burn-rate alerts read. */
export async function measureBurnRates(
  catalog: readonly SloDefinition[],
  source: TrafficSource,
): Promise<SloBurnRates> {
  const counted = await countWindows(source, catalog, Object.values(burnWindows));
  return Object.fromEntries(
    catalog.map((slo) => [
      slo.id,
      Object.fromEntries(
        burnWindowNames.map((name) => [
          name,
          windowBurn(slo, counted.get(burnWindows[name])?.traffic ?? null).burnRate,
        ]),
      ),
    ]),
  );
}
