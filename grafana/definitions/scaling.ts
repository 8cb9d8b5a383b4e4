// "Pledgr Pulse — scaling" (operators and founders): where the user count stands against the scaling
// guide's milestones, the guide itself with the checklist's state (scaling-guide-row.ts), which alert rules
// are pending or firing, and the capacity signals the next phase depends on (pool saturation, instance
// count, latency and errors against their alert thresholds). Every number comes from core/alerts/thresholds.ts, the catalog the collector and the Prometheus rules use.

import { milestoneLabel } from '../../core/alerts/rules.ts';
import { alertThresholds as thresholds } from '../../core/alerts/thresholds.ts';
import { kpiDefinition } from '../../core/kpi/catalog.ts';
import { label, metric } from '../../core/telemetry/agent-metric-names.ts';
import {
  collectorMetric,
  databaseConnectionMetrics as connections,
} from '../../core/telemetry/collector-metric-names.ts';
import { promql } from '../../core/telemetry/promql.ts';
import { dashboard } from '../builder/dashboard.ts';
import { prometheusDatasource as datasource } from '../builder/datasources.ts';
import { barGauge, stat, stateTimeline, table, timeseries } from '../builder/panels.ts';
import { prom } from '../builder/queries.ts';
import type { Dashboard } from '../builder/types.ts';
import { scalingGuideRow } from './scaling-guide-row.ts';

// The server's connections as the collector reads them (both collectors report the same server: max).
const connectionsUsed = `max(${connections.used})`;
const connectionsLimit = `max(${connections.max} - ${connections.reserved})`;
const users = `max(${kpiDefinition('usersAtEnd').metric}{period="current_month"})`;
const alertState = collectorMetric.alertState;
const instanceLegend = `{{${label.instance}}}`;
// Rates depend on the scrape interval through $__rate_interval (see live-health.ts): at least 1m at 15s.
const window = '$__rate_interval';
const milestoneColors = ['orange', 'red', 'blue'] as const;
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

export function scalingDashboard(): Dashboard {
  return dashboard({
    uid: 'pledgr-scaling',
    title: 'Pledgr Pulse — scaling',
    description:
      "Users against the scaling milestones, the scaling guide's phases, costs and checklist, alert states, and the capacity signals of the next phase.",
    tags: ['pledgr', 'pledgr-ops'],
    time: { from: 'now-7d', to: 'now' },
    refresh: '1m',
    rows: [
      {
        title: 'Users and milestones',
        panels: [
          timeseries({
            title: 'Users vs milestones',
            description: `All registered users; dashed lines at the scaling guide's milestones (${thresholds.milestones.users.join(', ')}) on a log scale.`,
            datasource,
            w: 16,
            logScale: true,
            min: 1,
            thresholds: thresholds.milestones.users.map((value, index) => ({
              value,
              color: milestoneColors[index] ?? 'red',
            })),
            queries: [prom(users, 'users')],
          }),
          barGauge({
            title: 'Share of each milestone reached',
            description: `Users ÷ each milestone; the "approaching" alerts start at ${thresholds.milestones.nearShare * 100} %.`,
            datasource,
            unit: 'percentunit',
            min: 0,
            max: 1,
            thresholds: [
              { value: thresholds.milestones.nearShare, color: 'orange' },
              { value: 1, color: 'red' },
            ],
            queries: thresholds.milestones.users.map((milestone) =>
              prom(`${users} / ${milestone}`, milestoneLabel(milestone)),
            ),
          }),
        ],
      },
      scalingGuideRow(),
      {
        title: 'Alerts (collector)',
        panels: [
          stat({
            title: 'Firing',
            description: 'Alert rules firing now (pledgr_alert_state = 2).',
            datasource,
            h: 6,
            thresholds: [{ value: 1, color: 'red' }],
            queries: [prom(`count(${alertState} == 2) or vector(0)`, 'firing')],
          }),
          stat({
            title: 'Pending',
            description:
              'Alert rules whose condition holds but not yet for their `for` (pledgr_alert_state = 1).',
            datasource,
            h: 6,
            thresholds: [{ value: 1, color: 'orange' }],
            queries: [prom(`count(${alertState} == 1) or vector(0)`, 'pending')],
          }),
          table({
            title: 'Active alerts',
            description: 'Every rule pending or firing now, with its severity.',
            datasource,
            h: 6,
            mappings: stateMappings,
            queries: [prom(`max by (alertname, severity) (${alertState}) > 0`, '', { instant: true })],
          }),
          stateTimeline({
            title: 'Alert states by rule',
            description: 'The state of every rule of the catalog over time: inactive, pending or firing.',
            datasource,
            mappings: stateMappings,
            thresholds: [
              { value: 1, color: 'orange' },
              { value: 2, color: 'red' },
            ],
            queries: [prom(`max by (alertname) (${alertState})`, '{{alertname}}')],
          }),
        ],
      },
      {
        title: 'Capacity',
        panels: [
          stat({
            title: 'Agent instances',
            description:
              'Agent processes reporting metrics (distinct service.instance.id). Phase 2 wants more than one.',
            datasource,
            w: 4,
            thresholds: [{ value: 2, color: 'green' }],
            queries: [prom(`count(group by (${label.instance}) (${metric.rss}))`, 'instances')],
          }),
          timeseries({
            title: 'Pool saturation by instance',
            description: `Connections in use ÷ pool max; the alert starts at ${thresholds.pool.usedShare * 100} %. Pending callers on the right.`,
            datasource,
            unit: 'percentunit',
            min: 0,
            max: 1,
            w: 10,
            thresholds: [{ value: thresholds.pool.usedShare, color: 'red' }],
            queries: [
              prom(
                `${promql.poolUsed([label.instance])} / ${promql.poolMax([label.instance])}`,
                `used ÷ max ${instanceLegend}`,
              ),
            ],
          }),
          timeseries({
            title: 'Callers waiting for a connection',
            description:
              'Pending connection requests per instance; any for a whole minute raises DbPoolRequestsWaiting.',
            datasource,
            min: 0,
            w: 10,
            queries: [prom(promql.poolPending([label.instance]), instanceLegend)],
          }),
          timeseries({
            title: "Database server's connections vs its limit",
            description: `Client connections open on the whole server (every pool of every agent, the collector, Grafana, psql) ÷ max_connections less the superuser-reserved slots, read from PostgreSQL by the collector on the primary; DatabaseConnectionsNearLimit at ${thresholds.databaseConnections.warningShare * 100} %, DatabaseConnectionsExhausted at ${thresholds.databaseConnections.criticalShare * 100} %. Empty on the embedded database.`,
            datasource,
            unit: 'percentunit',
            min: 0,
            max: 1,
            w: 12,
            thresholds: [
              { value: thresholds.databaseConnections.warningShare, color: 'orange' },
              { value: thresholds.databaseConnections.criticalShare, color: 'red' },
            ],
            queries: [prom(`${connectionsUsed} / ${connectionsLimit}`, 'in use ÷ limit')],
          }),
          timeseries({
            title: "Database server's connections",
            description:
              "Client connections in use on the whole server against what roles that are not superusers may open (max_connections − superuser_reserved_connections). Each process's pool is bounded by its DB_POOL_MAX; their sum is not.",
            datasource,
            min: 0,
            w: 12,
            queries: [
              prom(connectionsUsed, 'in use'),
              prom(connectionsLimit, 'limit'),
              prom(`max(${connections.max})`, 'max_connections'),
            ],
          }),
          timeseries({
            title: 'API latency p95 vs thresholds',
            description: `p95 over all instances; warning at ${thresholds.latency.p95WarningSeconds} s, critical at ${thresholds.latency.p95CriticalSeconds} s.`,
            datasource,
            unit: 's',
            min: 0,
            w: 8,
            thresholds: [
              { value: thresholds.latency.p95WarningSeconds, color: 'orange' },
              { value: thresholds.latency.p95CriticalSeconds, color: 'red' },
            ],
            queries: [prom(promql.latencyQuantile(0.95, [], window), 'p95')],
          }),
          timeseries({
            title: 'API error ratio vs thresholds',
            description: `5xx ÷ all over all instances; warning at ${thresholds.errors.warningRatio * 100} %, critical at ${thresholds.errors.criticalRatio * 100} %.`,
            datasource,
            unit: 'percentunit',
            min: 0,
            w: 8,
            thresholds: [
              { value: thresholds.errors.warningRatio, color: 'orange' },
              { value: thresholds.errors.criticalRatio, color: 'red' },
            ],
            queries: [prom(promql.errorRatio([], window), 'error ratio')],
          }),
          timeseries({
            title: 'Requests/s by instance',
            description: 'How the load balancer spreads traffic over the agents.',
            datasource,
            unit: 'reqps',
            min: 0,
            w: 8,
            queries: [prom(promql.requestsPerSecond([label.instance], window), instanceLegend)],
          }),
        ],
      },
    ],
  });
}
