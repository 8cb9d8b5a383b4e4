// The docs' tables that restate a catalog say what the catalog says: the KPI table of docs/kpis.md
// (core/kpi/catalog.ts) and the alert table of docs/alerts-and-slos.md (core/alerts/rules.ts, default
// thresholds). On a failure, print the current rows with `node --import tsx test/docs/doc-tables.ts`.
import { describe, expect, it } from 'vitest';
import { alertTableHeader, alertTableRows, kpiTableHeader, kpiTableRows } from './doc-tables.ts';
import { readRepoFile, tableAfterHeading } from './markdown.ts';

const asLines = (rows: readonly (readonly string[])[]) => rows.map((cells) => `| ${cells.join(' | ')} |`);

describe('docs tables restating a catalog', () => {
  it('docs/kpis.md lists every KPI of the catalog with its unit, role, empty value, gauge and source', () => {
    const doc = tableAfterHeading(readRepoFile('docs/kpis.md'), '## The catalog');
    expect(kpiTableHeader).toHaveLength(6);
    expect(asLines(doc)).toEqual(asLines(kpiTableRows()));
  });

  it('docs/alerts-and-slos.md lists every alert rule with its default condition, guards and how it stops', () => {
    const doc = tableAfterHeading(readRepoFile('docs/alerts-and-slos.md'), '## The rules');
    expect(alertTableHeader).toHaveLength(7);
    expect(asLines(doc)).toEqual(asLines(alertTableRows()));
  });
});
