// "Pledgr Pulse — service-level objectives" (operators): per objective of the SLO catalog
// (core/slo/slo-catalog.ts) the error budget left over its window, the burn rate over every window of the
// SRE workbook's alert table with the page and ticket factors as thresholds (core/slo/burn-rate-alerts.ts),
// and the state of its burn-rate alerts in Prometheus (ALERTS). The events are counted with the collector's
// own PromQL (core/slo/slo-promql.ts via builder/slo-promql.ts): what GET /api/slo and the dashboard's
// Live health → Service-level objectives section show when the collector asks Prometheus.
// A dashboard of its own, not a live-health row: an objective is over all traffic, so these queries take no
// instance, version or route variable (which every live-health query must).

import {
  type BurnSeverity,
  burnAlertName,
  burnFactor,
  burnRateAlertTable,
} from '../../core/slo/burn-rate-alerts.ts';
import { type SloDefinition, sloCatalog } from '../../core/slo/slo-catalog.ts';
import { burnWindowNames, burnWindows } from '../../core/slo/slo-windows.ts';
import { promDuration } from '../../core/telemetry/promql.ts';
import { dashboard, type RowSpec } from '../builder/dashboard.ts';
import { prometheusDatasource as datasource } from '../builder/datasources.ts';
import { type PanelDraft, stat, stateTimeline, type Threshold, timeseries } from '../builder/panels.ts';
import { prom } from '../builder/queries.ts';
import { budgetLeftPromql, burnRatePromql, errorBudgetShare } from '../builder/slo-promql.ts';
import type { Dashboard } from '../builder/types.ts';

const severityColor: Record<BurnSeverity, Threshold['color']> = { page: 'red', ticket: 'orange' };
const days = (seconds: number) => `${Math.round((seconds / 86_400) * 100) / 100} days`;
const percent = (ratio: number) => `${Number((ratio * 100).toPrecision(6))} %`;
const stateMappings = [
  {
    type: 'value',
    options: {
      '0': { text: 'inactive', color: 'green' },
      '1': { text: 'pending', color: 'orange' },
      '2': { text: 'firing', color: 'red' },
    },
  },
];

/** The burn-rate alerts of the given objectives and severity, by name. */
function alertNames(slos: readonly SloDefinition[], severity: BurnSeverity): string[] {
  return slos.flatMap((slo) =>
    burnRateAlertTable.filter((row) => row.severity === severity).map((row) => burnAlertName(slo, row)),
  );
}

/** 2 firing, 1 pending, 0 for every named alert Prometheus has no ALERTS series of (inactive). */
function alertStates(names: readonly string[]): string {
  const selector = (state: string) => `ALERTS{alertname=~"${names.join('|')}", alertstate="${state}"}`;
  return [
    `max by (alertname) (${selector('firing')}) * 2`,
    `max by (alertname) (${selector('pending')})`,
    ...names.map((name) => `label_replace(vector(0), "alertname", "${name}", "", "")`),
  ].join(' or ');
}

/** The factors of the objective's alerts as thresholds, most severe colour where two rows share one. */
function factorThresholds(slo: SloDefinition): Threshold[] {
  const byFactor = new Map<number, Threshold['color']>();
  for (const row of burnRateAlertTable) {
    const factor = burnFactor(row, slo);
    if (byFactor.get(factor) !== 'red') byFactor.set(factor, severityColor[row.severity]);
  }
  return [...byFactor].sort((a, b) => a[0] - b[0]).map(([value, color]) => ({ value, color }));
}

const factorList = (slo: SloDefinition) =>
  burnRateAlertTable
    .map(
      (row) =>
        `${burnAlertName(slo, row)} (${row.severity}): above ${burnFactor(row, slo)} over both ${row.longWindow} and ${row.shortWindow}`,
    )
    .join('; ');

function sloRow(slo: SloDefinition): RowSpec {
  const window = days(slo.windowSeconds);
  const panels: PanelDraft[] = [
    stat({
      title: `Error budget left (${window})`,
      description: `${slo.id}: ${slo.description}; objective ${percent(slo.objective)} over ${window}. 1 − bad events ÷ (all events × ${errorBudgetShare(slo.objective)}) over the last ${promDuration(slo.windowSeconds)}, as far back as Prometheus keeps data (a younger Prometheus counts what it has); below 0 once overspent. No value: no events in the window.`,
      datasource,
      unit: 'percentunit',
      decimals: 1,
      w: 5,
      h: 8,
      baseColor: 'red',
      thresholds: [{ value: 0, color: 'green' }],
      queries: [
        prom(budgetLeftPromql(slo, promDuration(slo.windowSeconds)), 'budget left', { instant: true }),
      ],
    }),
    timeseries({
      title: 'Burn rate by window',
      description: `${slo.id}: error ratio ÷ ${errorBudgetShare(slo.objective)} over each window of the alert table (1 spends the budget exactly over ${window}). Dashed: the alerts' factors, red for pages and orange for tickets — ${factorList(slo)}. No line while a window has no events.`,
      datasource,
      min: 0,
      decimals: 2,
      w: 11,
      h: 8,
      thresholds: factorThresholds(slo),
      queries: burnWindowNames.map((name) =>
        prom(burnRatePromql(slo, promDuration(burnWindows[name])), name),
      ),
    }),
    stateTimeline({
      title: 'Burn-rate alerts',
      description: `${slo.id}'s burn-rate alerts as Prometheus evaluates them (ALERTS): inactive, pending or firing; pages above, tickets below.`,
      datasource,
      w: 8,
      h: 8,
      mappings: stateMappings,
      thresholds: [
        { value: 1, color: 'orange' },
        { value: 2, color: 'red' },
      ],
      queries: (['page', 'ticket'] as const).map((severity) =>
        prom(alertStates(alertNames([slo], severity)), `${severity}: {{alertname}}`),
      ),
    }),
  ];
  return { title: `${slo.id} — ${percent(slo.objective)} over ${window}`, panels };
}

function firingCount(severity: BurnSeverity): PanelDraft {
  const names = alertNames(sloCatalog, severity);
  return stat({
    title: severity === 'page' ? 'Burn-rate pages firing' : 'Burn-rate tickets firing',
    description: `${severity === 'page' ? 'Pages (the budget goes in hours or days: act now)' : 'Tickets (a slow leak: fix within the week)'} firing now in Prometheus, over every objective: ${names.join(', ')}.`,
    datasource,
    decimals: 0,
    w: 12,
    h: 4,
    thresholds: [{ value: 1, color: severityColor[severity] }],
    queries: [
      prom(`count(ALERTS{alertname=~"${names.join('|')}", alertstate="firing"}) or vector(0)`, 'firing'),
    ],
  });
}

export function sloDashboard(): Dashboard {
  return dashboard({
    uid: 'pledgr-slo',
    title: 'Pledgr Pulse — service-level objectives',
    description:
      'Error budget left, burn rate per window against the page and ticket factors, and the burn-rate alerts of every service-level objective.',
    tags: ['pledgr', 'pledgr-ops'],
    time: { from: 'now-24h', to: 'now' },
    refresh: '1m',
    rows: [
      { title: 'Burn-rate alerts (all objectives)', panels: [firingCount('page'), firingCount('ticket')] },
      ...sloCatalog.map(sloRow),
    ],
  });
}
