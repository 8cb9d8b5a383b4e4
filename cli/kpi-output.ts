// Renders a KPI report for `pulse kpis`: json (the API's exact document), csv (one row per period, the
// DESIGN.md field order, empty cells for null) or table (for people: money, percentages, — for empty).
import { kpiCatalog } from '../core/kpi/catalog.ts';
import { type KpiPeriod, type KpiReport, kpiPeriodFields } from '../core/kpi/types.ts';

export const kpiFormats = ['json', 'csv', 'table'] as const;
export type KpiFormat = (typeof kpiFormats)[number];

export function renderReport(report: KpiReport, format: KpiFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'csv') return renderCsv(report.periods);
  return renderTable(report);
}

function renderCsv(periods: readonly KpiPeriod[]): string {
  const lines = [kpiPeriodFields.join(',')];
  for (const period of periods) {
    lines.push(
      kpiPeriodFields.map((field) => (period[field] === null ? '' : String(period[field]))).join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Periods as columns and KPIs as rows, so the table stays readable however many KPIs there are. */
function renderTable(report: KpiReport): string {
  const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: report.currency });
  const header = [
    'KPI',
    ...report.periods.map((p) => p.periodStart.slice(0, report.interval === 'month' ? 7 : 10)),
  ];
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
