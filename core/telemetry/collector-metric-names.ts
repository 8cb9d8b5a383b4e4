// The collector's own metric names on its /metrics (docs/metrics.md "Collector gauges"), each written once:
// the collector registers its prom-client gauges under them (collector/metrics/), and the generated
// Prometheus rules (prometheus/generator/) and the Grafana panels (grafana/) query them. The KPI gauges are
// named in the KPI catalog (core/kpi/catalog.ts, `metric`).

export const collectorMetric = {
  /** 1 when the KPI gauges come from the last report kept because the database could not be read. */
  kpiReportStale: 'pledgr_kpi_report_stale',
  /** Each alert rule's state by alertname and severity: 0 inactive or resolved, 1 pending, 2 firing. */
  alertState: 'pledgr_alert_state',
  /** Each scaling checklist item by item, phase and source, valued by `scalingStatusValue`. */
  scalingItemStatus: 'pledgr_scaling_item_status',
  /** The scaling guide's current phase for the user count: 1, 2 or 3. */
  scalingPhase: 'pledgr_scaling_phase',
} as const;

/** The database server's connection limit (collector/metrics/database-connection-gauges.ts). No labels. */
export const databaseConnectionMetrics = {
  used: 'pledgr_database_connections',
  max: 'pledgr_database_max_connections',
  reserved: 'pledgr_database_reserved_connections',
} as const;

/** pledgr_scaling_item_status's value for each status of a checklist item. */
export const scalingStatusValue = { done: 1, todo: 0, unknown: -1 } as const;
