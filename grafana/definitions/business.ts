// "Pledgr Pulse — business KPIs" (founders): headline figures from the collector's `pledgr_*` gauges on
// Prometheus, and monthly history computed by the KPI SQL of queries/ on PostgreSQL.
//
// How each SQL file becomes a panel (the files are read by builder/kpi-sql.ts, never copied):
//   registrations.sql, conversion.sql, mrr-movements.sql compute one row per period over a range, as the KPI
//     engine calls them: :bounds = every month start from the one holding the range start (periods are
//     aligned), :rangeStart = the first of them, :rangeEnd = the range end; the panel renames "periodStart"
//     to `time`.
//   users-before.sql and mrr-snapshot.sql compute one instant per call (:at): a generated
//     generate_series of month starts (plus the range end) calls them once per instant as a LATERAL
//     subquery — users, pledgers and MRR at each month start.
//   mrr-movements.sql + mrr-snapshot.sql at each period start: logo churn = churnedPledgers ÷ pledgers at
//     start, gross MRR churn = (churned + contraction) ÷ MRR at start, as core/kpi/catalog.ts defines them.
//   artists.sql over the dashboard range (:rangeStart/:rangeEnd = the range, :limit = 10): a table.
//   cohorts.sql is left out: its shares are derived by the caller (core/kpi/cohorts.ts); the collector's
//     dashboard shows them.

import { kpiDefinition } from '../../core/kpi/catalog.ts';
import type { KpiPeriod } from '../../core/kpi/types.ts';
import { collectorMetric } from '../../core/telemetry/collector-metric-names.ts';
import { dashboard } from '../builder/dashboard.ts';
import { postgresDatasource, prometheusDatasource } from '../builder/datasources.ts';
import { grafanaTime, kpiSql } from '../builder/kpi-sql.ts';
import { type Column, type PanelDraft, stat, table, timeseries } from '../builder/panels.ts';
import { prom, sqlSeries, sqlTable } from '../builder/queries.ts';
import type { Dashboard } from '../builder/types.ts';

/** Grafana's unit for the platform currency (PULSE_CURRENCY, default USD): change both together. */
const currency = 'currencyUSD';

const monthly = {
  bounds: grafanaTime.monthStarts,
  rangeStart: grafanaTime.monthOfFrom,
  rangeEnd: grafanaTime.to,
};

/** mrr-movements.sql over all users at once (the KPI engine may split it in slices of the users). */
const monthlyMovements = {
  bounds: monthly.bounds,
  rangeEnd: monthly.rangeEnd,
  usersFrom: '0',
  usersTo: '9223372036854775807',
};

/** Month starts from the one holding the range start, and the range end itself ("now"), as `at`. */
const instants = `SELECT month_start AT TIME ZONE 'UTC' AS at
  FROM generate_series(date_trunc('month', ${grafanaTime.from} AT TIME ZONE 'UTC'),
                       ${grafanaTime.to} AT TIME ZONE 'UTC', interval '1 month') AS month_start
UNION
SELECT ${grafanaTime.to}`;

function perPeriod(
  file: string,
  select: string,
  bindings: Readonly<Record<string, string>> = monthly,
): ReturnType<typeof sqlSeries> {
  const kpi = kpiSql(file, bindings);
  return sqlSeries(`SELECT ${select}\n  FROM (\n${kpi.sql}\n) AS kpi\n ORDER BY 1`, [kpi.source]);
}

function perInstant(file: string, select: string): ReturnType<typeof sqlSeries> {
  const kpi = kpiSql(file, { at: 'instants.at' });
  return sqlSeries(
    `SELECT instants.at AS time, ${select}\n  FROM (\n${instants}\n) AS instants\n CROSS JOIN LATERAL (\n${kpi.sql}\n) AS kpi\n ORDER BY 1`,
    [kpi.source],
  );
}

function churnByMonth(): ReturnType<typeof sqlSeries> {
  const movements = kpiSql('kpi/mrr-movements.sql', monthlyMovements);
  const opening = kpiSql('kpi/mrr-snapshot.sql', { at: 'kpi."periodStart"' });
  return sqlSeries(
    [
      'SELECT kpi."periodStart" AS time,',
      '       kpi."churnedPledgers"::float8 / nullif(opening.pledgers, 0) AS "logoChurn",',
      '       (kpi."churnedMrrCents" + kpi."contractionMrrCents")::float8 / nullif(opening."mrrCents", 0) AS "grossMrrChurn"',
      `  FROM (\n${movements.sql}\n) AS kpi`,
      ` CROSS JOIN LATERAL (\n${opening.sql}\n) AS opening`,
      ' ORDER BY 1',
    ].join('\n'),
    [movements.source, opening.source],
  );
}

function topArtists(): ReturnType<typeof sqlTable> {
  const kpi = kpiSql('kpi/artists.sql', {
    rangeStart: grafanaTime.from,
    rangeEnd: grafanaTime.to,
    limit: '10',
  });
  return sqlTable(
    [
      'SELECT kpi.name AS artist, kpi."pledgersAtEnd" AS pledgers, kpi."mrrEndCents" / 100.0 AS mrr,',
      '       kpi."newPledgers" AS "newPledgers", kpi."churnedPledgers" AS "churnedPledgers"',
      `  FROM (\n${kpi.sql}\n) AS kpi`,
      ' ORDER BY mrr DESC, artist',
    ].join('\n'),
    [kpi.source],
  );
}

const cents = (column: string) => `kpi."${column}" / 100.0`;
const movementColumns: Column[] = [
  { name: 'new', label: 'New' },
  { name: 'reactivation', label: 'Reactivation' },
  { name: 'expansion', label: 'Expansion' },
  { name: 'contraction', label: 'Contraction (−)' },
  { name: 'churned', label: 'Churned (−)' },
];

/** A headline figure: the collector's gauge for the current and the previous month. */
function gauge(
  field: Exclude<keyof KpiPeriod, 'periodStart' | 'periodEnd'>,
  unit: string,
  scale = 1,
): PanelDraft {
  const kpi = kpiDefinition(field);
  const value = (period: string) =>
    `max(${kpi.metric}{period="${period}"})${scale === 1 ? '' : ` / ${scale}`}`;
  return stat({
    title: kpi.label,
    description: `${kpi.help} From the collector's \`${kpi.metric}\` gauge (current month so far, and the previous month).`,
    datasource: prometheusDatasource,
    unit,
    w: 4,
    queries: [prom(value('current_month'), 'this month'), prom(value('previous_month'), 'last month')],
  });
}

export function businessDashboard(): Dashboard {
  return dashboard({
    uid: 'pledgr-business',
    title: 'Pledgr Pulse — business KPIs',
    description:
      'MRR, users, conversion and churn: headline gauges from the collector, monthly history from the KPI SQL.',
    tags: ['pledgr', 'pledgr-business'],
    time: { from: 'now-1y', to: 'now' },
    refresh: '5m',
    rows: [
      {
        title: 'This month and last (collector gauges)',
        panels: [
          gauge('mrrEndCents', currency, 100),
          gauge('usersAtEnd', 'short'),
          gauge('pledgersAtEnd', 'short'),
          gauge('conversionRate', 'percentunit'),
          gauge('logoChurnRate', 'percentunit'),
          stat({
            title: 'KPI report',
            description:
              'Whether the gauges come from the last report kept because the database could not be read (`pledgr_kpi_report_stale`).',
            datasource: prometheusDatasource,
            w: 4,
            mappings: [
              {
                type: 'value',
                options: { '0': { text: 'fresh', color: 'green' }, '1': { text: 'stale', color: 'red' } },
              },
            ],
            thresholds: [{ value: 1, color: 'red' }],
            queries: [prom(`max(${collectorMetric.kpiReportStale})`, 'report')],
          }),
        ],
      },
      {
        title: 'Monthly history (KPI SQL on PostgreSQL)',
        panels: [
          timeseries({
            title: 'MRR at each month start',
            description:
              'Monthly recurring revenue: the sum of the pledges active at each month start, and now.',
            datasource: postgresDatasource,
            unit: currency,
            min: 0,
            columns: [{ name: 'mrr', label: 'MRR' }],
            queries: [perInstant('kpi/mrr-snapshot.sql', `${cents('mrrCents')} AS mrr`)],
          }),
          timeseries({
            title: 'Users and pledgers at each month start',
            description:
              'Users registered before each month start (and now), and users whose active pledges add up to more than 0.',
            datasource: postgresDatasource,
            min: 0,
            columns: [
              { name: 'users', label: 'Users' },
              { name: 'pledgers', label: 'Pledgers' },
            ],
            queries: [
              perInstant('kpi/users-before.sql', 'kpi.users'),
              perInstant('kpi/mrr-snapshot.sql', 'kpi.pledgers'),
            ],
          }),
          timeseries({
            title: 'Registrations per month',
            description: 'Users who created an account in each month (UTC); the last month is month to date.',
            datasource: postgresDatasource,
            bars: true,
            min: 0,
            columns: [{ name: 'registrations', label: 'Registrations' }],
            queries: [perPeriod('kpi/registrations.sql', 'kpi."periodStart" AS time, kpi.registrations')],
          }),
          timeseries({
            title: '30-day conversion by registration month',
            description:
              'Of the users registered in the month, the share with a pledge within 30 days. A month is final 30 days after its end.',
            datasource: postgresDatasource,
            unit: 'percentunit',
            min: 0,
            columns: [{ name: 'conversion', label: '30-day conversion' }],
            queries: [
              perPeriod(
                'kpi/conversion.sql',
                'kpi."periodStart" AS time, kpi.converted::float8 / nullif(kpi.cohort, 0) AS conversion',
              ),
            ],
          }),
          timeseries({
            title: 'MRR movements per month',
            description:
              'New, reactivation and expansion MRR add up; contraction and churned MRR (shown negative) take away.',
            datasource: postgresDatasource,
            unit: currency,
            bars: true,
            stacked: true,
            columns: movementColumns,
            queries: [
              perPeriod(
                'kpi/mrr-movements.sql',
                [
                  'kpi."periodStart" AS time',
                  `${cents('newMrrCents')} AS "new"`,
                  `${cents('reactivationMrrCents')} AS reactivation`,
                  `${cents('expansionMrrCents')} AS expansion`,
                  `-${cents('contractionMrrCents')} AS contraction`,
                  `-${cents('churnedMrrCents')} AS churned`,
                ].join(', '),
                monthlyMovements,
              ),
            ],
          }),
          timeseries({
            title: 'Logo churn and gross MRR churn by month',
            description:
              'Pledgers who stopped ÷ pledgers at the month start; churned + contraction MRR ÷ MRR at the month start.',
            datasource: postgresDatasource,
            unit: 'percentunit',
            min: 0,
            columns: [
              { name: 'logoChurn', label: 'Logo churn' },
              { name: 'grossMrrChurn', label: 'Gross MRR churn' },
            ],
            queries: [churnByMonth()],
          }),
          table({
            title: 'Top artists by MRR at the end of the range',
            description:
              'The ten artists with the most MRR at the range end, with their fans then and the fans won and lost in the range.',
            datasource: postgresDatasource,
            w: 24,
            columns: [
              { name: 'artist', label: 'Artist' },
              { name: 'pledgers', label: 'Pledgers' },
              { name: 'mrr', label: 'MRR', unit: currency },
              { name: 'newPledgers', label: 'New fans' },
              { name: 'churnedPledgers', label: 'Churned fans' },
            ],
            queries: [topArtists()],
          }),
        ],
      },
    ],
  });
}
