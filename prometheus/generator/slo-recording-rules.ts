// Recording rules of the SLO catalog (core/slo/slo-catalog.ts): per objective and per burn window
// (core/slo/slo-windows.ts) the error ratio — bad ÷ total events, counted by core/slo/slo-promql.ts
// exactly as the collector asks Prometheus for GET /api/slo — and the burn rate, ratio ÷ (1 − objective).
// Named level:metric:operations with one series per objective (label `slo`):
//   pledgr_slo:error_ratio:rate5m{slo="PledgeApiAvailability"}
//   pledgr_slo:burn_rate:rate5m{slo="PledgeApiAvailability"}
// (a ratio of two increases over the window equals the ratio of their rates, hence `rate5m`). The burn rate
// is recorded rather than computed in each alert so the alerts, panels and ad-hoc queries read one figure.
// A window without traffic records no series (not 0): the total is filtered `> 0`, as the collector's
// burn rate is null then. The page rows' windows (5m–6h) evaluate at the global interval; the ticket rows'
// long windows (1d, 3d) read days of samples, so their group evaluates once a minute.

import { type SloDefinition, sloCatalog } from '../../core/slo/slo-catalog.ts';
import { sloEventsPromql } from '../../core/slo/slo-promql.ts';
import { type BurnWindow, burnWindowNames, burnWindows } from '../../core/slo/slo-windows.ts';
import { promDuration } from './settings.ts';

export interface SloRecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: { readonly slo: string };
}

export interface SloRecordingGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: SloRecordingRule[];
}

/** Windows of at least this length are recorded by the slower group. */
const slowGroupFromSeconds = 86_400;
export const slowGroupInterval = '1m';

export const sloErrorRatioRecord = (window: BurnWindow) => `pledgr_slo:error_ratio:rate${window}`;
export const sloBurnRateRecord = (window: BurnWindow) => `pledgr_slo:burn_rate:rate${window}`;

/** A recorded series of one objective, as a selector. */
export const sloSeries = (record: string, slo: Pick<SloDefinition, 'id'>) => `${record}{slo="${slo.id}"}`;

function windowRules(slo: SloDefinition, window: BurnWindow): SloRecordingRule[] {
  const { bad, total } = sloEventsPromql(slo.sli, promDuration(burnWindows[window]));
  return [
    { record: sloErrorRatioRecord(window), expr: `${bad} / (${total} > 0)`, labels: { slo: slo.id } },
    {
      record: sloBurnRateRecord(window),
      // `1 - objective` left to PromQL: the same float64 arithmetic as the collector's burnRate().
      expr: `${sloSeries(sloErrorRatioRecord(window), slo)} / (1 - ${slo.objective})`,
      labels: { slo: slo.id },
    },
  ];
}

function group(name: string, windows: BurnWindow[], slos: readonly SloDefinition[], interval?: string) {
  return {
    name,
    ...(interval ? { interval } : {}),
    rules: windows.flatMap((window) => slos.flatMap((slo) => windowRules(slo, window))),
  } satisfies SloRecordingGroup;
}

export const sloGroupNames = ['pledgr-slo-burn-rates', 'pledgr-slo-burn-rates-long'] as const;

export function sloRecordingGroups(slos: readonly SloDefinition[] = sloCatalog): SloRecordingGroup[] {
  const fast = burnWindowNames.filter((window) => burnWindows[window] < slowGroupFromSeconds);
  const slow = burnWindowNames.filter((window) => burnWindows[window] >= slowGroupFromSeconds);
  return [group(sloGroupNames[0], fast, slos), group(sloGroupNames[1], slow, slos, slowGroupInterval)];
}
