// The collector's own Prometheus metrics (prom-client), computed at scrape time: every KPI of the catalog as
// its `pledgr_*` gauge for the current (open) month and the last complete month, whether the KPI report was
// served stale, the state of every alert rule, the scaling checklist (every item's status and the current
// phase, as GET /api/scaling says at its last evaluation) and the collector process's own runtime metrics
// under the `pledgr_collector_` prefix. A KPI that has nothing to measure (a rate with a zero denominator) has
// no sample rather than a made-up 0; a checklist that cannot be evaluated has no samples either.
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { kpiCatalog } from '../../core/kpi/catalog.ts';
import type { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import type { KpiPeriod } from '../../core/kpi/types.ts';
import { collectorMetric, scalingStatusValue } from '../../core/telemetry/collector-metric-names.ts';
import type { ItemStatus, ScalingReport } from '../scaling/scaling-types.ts';

export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface AlertStateView {
  readonly alertname: string;
  readonly severity: string;
  readonly state: AlertState;
}

export interface CollectorMetricsDeps {
  readonly engine: KpiEngine;
  readonly alertStates?: () => readonly AlertStateView[];
  /** The scaling checklist at its last evaluation (CachedScalingService.recent); absent: no scaling gauges. */
  readonly scalingReport?: () => Promise<ScalingReport>;
  readonly now?: () => Date;
}

export interface CollectorMetrics {
  readonly registry: Registry;
  /** Recomputes the gauges and returns the exposition text. */
  render(): Promise<string>;
}

const periods = ['previous_month', 'current_month'] as const;

/** The first day of the month `offset` months from `now`'s, as YYYY-MM-DD (UTC). */
function monthStart(now: Date, offset: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
}

/** pledgr_scaling_item_status's value for each status (every status has one). */
const statusValue: Readonly<Record<ItemStatus, number>> = scalingStatusValue;

function gaugeValue(value: KpiPeriod[keyof KpiPeriod]): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return typeof value === 'number' ? value : null;
}

export function createCollectorMetrics(deps: CollectorMetricsDeps): CollectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pledgr_collector_' });
  const now = deps.now ?? (() => new Date());

  const kpiGauges = kpiCatalog.map(
    (kpi) =>
      [
        kpi,
        new Gauge({
          name: kpi.metric,
          help: `${kpi.label} (${kpi.unit}): ${kpi.help}`,
          labelNames: ['period'],
          registers: [registry],
        }),
      ] as const,
  );
  const stale = new Gauge({
    name: collectorMetric.kpiReportStale,
    help: '1 when the KPI gauges come from the last report kept because the database could not be read',
    registers: [registry],
  });
  const alertState = new Gauge({
    name: collectorMetric.alertState,
    help: 'State of each alert rule: 0 inactive or resolved, 1 pending, 2 firing',
    labelNames: ['alertname', 'severity'],
    registers: [registry],
  });

  const scalingItem = new Gauge({
    name: collectorMetric.scalingItemStatus,
    help: 'Each scaling checklist item (GET /api/scaling): 1 done, 0 todo, -1 unknown; phase 1|2|3 or security, source guide|pulse',
    labelNames: ['item', 'phase', 'source'],
    registers: [registry],
  });
  const scalingPhase = new Gauge({
    name: collectorMetric.scalingPhase,
    help: "The scaling guide's current phase for the user count: 1 Startup, 2 Growth, 3 Enterprise",
    registers: [registry],
  });

  async function refreshKpis(): Promise<void> {
    const at = now();
    const report = await deps.engine.report({
      from: monthStart(at, -1),
      to: monthStart(at, 1),
      interval: 'month',
      asOf: at,
    });
    stale.set(report.stale ? 1 : 0);
    for (const [kpi, gauge] of kpiGauges) {
      gauge.reset();
      report.periods.forEach((period, index) => {
        const value = gaugeValue(period[kpi.field]);
        const label = periods[index];
        if (value !== null && label) gauge.set({ period: label }, value);
      });
    }
  }

  function refreshAlerts(): void {
    alertState.reset();
    for (const alert of deps.alertStates?.() ?? []) {
      const value = alert.state === 'firing' ? 2 : alert.state === 'pending' ? 1 : 0;
      alertState.set({ alertname: alert.alertname, severity: alert.severity }, value);
    }
  }

  /** A checklist that cannot be evaluated leaves no samples rather than old or made-up ones. */
  async function refreshScaling(): Promise<void> {
    if (!deps.scalingReport) return;
    const report = await deps.scalingReport().catch(() => null);
    scalingItem.reset();
    scalingPhase.reset();
    if (!report) return;
    scalingPhase.set(report.phase.number);
    const sections = [
      ...report.phases.map((phase) => [String(phase.number), phase.items] as const),
      ['security', report.security.items] as const,
    ];
    for (const [phase, items] of sections)
      for (const item of items)
        scalingItem.set({ item: item.id, phase, source: item.source }, statusValue[item.status]);
  }

  return {
    registry,
    async render() {
      await Promise.all([refreshKpis(), refreshScaling()]);
      refreshAlerts();
      return registry.metrics();
    },
  };
}
