// Renders a KPI report for `pulse kpis`: json (the API's exact document), csv (one row per period, the
// DESIGN.md field order then the added fields, empty cells for null) or table (for people: money,
// percentages, — for empty), and the data-quality note a person reading the table must see.
import { kpiCatalog, kpiDefinition } from '../core/kpi/catalog.ts';
import { type KpiPeriod, type KpiReport, kpiPeriodOutputFields } from '../core/kpi/types.ts';

export const kpiFormats = ['json', 'csv', 'table'] as const;
export type KpiFormat = (typeof kpiFormats)[number];

export function renderReport(report: KpiReport, format: KpiFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'csv') return renderCsv(report.periods);
  return renderTable(report);
}

function renderCsv(periods: readonly KpiPeriod[]): string {
  const lines = [kpiPeriodOutputFields.join(',')];
  for (const period of periods) {
    lines.push(
      kpiPeriodOutputFields.map((field) => (period[field] === null ? '' : String(period[field]))).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** "2026-05" for months, "2026-05-04" for weeks and days: the period's first day (UTC). */
function periodLabel(periodStart: string, interval: KpiReport['interval']): string {
  return periodStart.slice(0, interval === 'month' ? 7 : 10);
}

/** Periods as columns and KPIs as rows, so the table stays readable however many KPIs there are. */
function renderTable(report: KpiReport): string {
  const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: report.currency });
  const header = ['KPI', ...report.periods.map((p) => periodLabel(p.periodStart, report.interval))];
  const rows = kpiCatalog.map((kpi) => [
    kpi.label,
    ...report.periods.map((period) => {
      const value = period[kpi.field];
      if (value === null) return '—';
      if (kpi.unit === 'cents') return money.format((value as number) / 100);
      if (kpi.unit === 'ratio') return `${((value as number) * 100).toFixed(2)}%`;
      if (kpi.unit === 'boolean') return value ? 'yes' : 'no';
      return (value as number).toLocaleString('en-US');
    }),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => (row[i] as string).length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join('  ');
  const stale = report.stale ? ' (stale: the database could not be reached)' : '';
  return [
    `KPIs by ${report.interval}, ${report.currency}, as of ${report.asOf}${stale}`,
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}

/**
 * The line that says how many churn movements of the report rest on estimated cancel instants, or null when
 * none do. `pulse kpis --format table` prints it on stderr (stdout stays the table alone).
 */
export function estimatedChurnNote(report: KpiReport): string | null {
  const total = report.periods.reduce((sum, period) => sum + period.estimatedChurnMovements, 0);
  if (total === 0) return null;
  const periods = report.periods
    .filter((period) => period.estimatedChurnMovements > 0)
    .map((period) => periodLabel(period.periodStart, report.interval));
  const named = periods.length <= 3 ? ` (${periods.join(', ')})` : '';
  const movements =
    total === 1
      ? '1 churn movement (churned or contracted pledger) rests'
      : `${total.toLocaleString('en-US')} churn movements (churned or contracted pledgers) rest`;
  const label = kpiDefinition('estimatedChurnMovements').label;
  return (
    `Note: ${movements} on estimated cancellation dates, in ${periods.length} of these ` +
    `${report.periods.length} ${report.interval} periods${named}: those cancellations were imported from the old Pledgr SQLite file, which ` +
    'never recorded when a pledge was cancelled, so the movements may belong to an earlier period. ' +
    `See "${label}" per period in the table.\n`
  );
}
