// The tables of docs/ that restate a catalog, rendered from the catalog itself: the KPI table of docs/kpis.md
// and the alert table of docs/alerts-and-slos.md. test/docs/docs-catalogs.test.ts compares the docs with
// these rows; after changing a catalog, print them and paste them in:
//   node --import tsx test/docs/doc-tables.ts
import { pathToFileURL } from 'node:url';
import { type AlertRule, alertInputs, alertRules } from '../../core/alerts/rules.ts';
import { kpiCatalog } from '../../core/kpi/catalog.ts';

const kpiDir = 'queries/kpi/';

export const kpiTableHeader = ['field', 'unit', 'role', 'when empty', 'gauge', 'from'];

/** One row per catalog entry; SQL sources link to their file (docs/ is one level below the root). */
export function kpiTableRows(): string[][] {
  return kpiCatalog.map((kpi) => [
    `\`${kpi.field}\``,
    kpi.unit,
    kpi.role,
    `\`${JSON.stringify(kpi.empty)}\``,
    `\`${kpi.metric}\``,
    kpi.source.startsWith(kpiDir)
      ? `[\`${kpi.source.slice(kpiDir.length)}\`](../${kpi.source})`
      : `\`${kpi.source}\``,
  ]);
}

export const alertTableHeader = [
  'alert',
  'severity',
  'audience',
  'fires when',
  'for',
  'only when',
  'once firing, stops',
];

const mib = 1024 * 1024;

function value(rule: Pick<AlertRule, 'input'>, n: number): string {
  const unit = alertInputs[rule.input as keyof typeof alertInputs]?.unit;
  return unit === 'bytes' && n % mib === 0 ? `${n / mib} MiB` : String(n);
}

/** The comparison that holds once a rule has resolved below (or above) its resolve threshold. */
const resolvedBy: Record<AlertRule['comparison'], string> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>' };

/** One row per rule of the catalog (default thresholds), in catalog order. */
export function alertTableRows(rules: readonly AlertRule[] = alertRules): string[][] {
  return rules.map((rule) => [
    `\`${rule.name}\``,
    rule.severity,
    rule.audience,
    `\`${rule.input} ${rule.comparison} ${value(rule, rule.threshold)}\``,
    `${rule.forSeconds} s`,
    (rule.guards ?? [])
      .map((guard) => `\`${guard.input} ${guard.comparison} ${value(guard, guard.threshold)}\``)
      .join(', '),
    rule.resolveThreshold !== undefined
      ? `\`${rule.input} ${resolvedBy[rule.comparison]} ${value(rule, rule.resolveThreshold)}\``
      : `${rule.keepFiringForSeconds ?? 0} s after the condition stops`,
  ]);
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(`docs/kpis.md:\n\n${markdownTable(kpiTableHeader, kpiTableRows())}\n`);
  console.log(`docs/alerts-and-slos.md:\n\n${markdownTable(alertTableHeader, alertTableRows())}`);
}
