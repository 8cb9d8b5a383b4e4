// KPI SQL for Grafana panels, read from queries/ (never copied by hand): a file's text with each named
// parameter (`:rangeStart`) replaced by a SQL expression — a constant or one of Grafana's time macros —
// found by core's own named-parameter compiler, so exactly the placeholders the KPI engine binds are replaced.
// Each use is recorded as a source (file and bindings) that the panel's description lists, and that
// test/stack/grafana-files.test.ts re-applies to the file to find its body in the panel's SQL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileNamedSql } from '../../core/db/named-params.ts';
import { queriesDir } from '../../core/queries-dir.ts';

export interface KpiSqlSource {
  /** Path from the repository root, e.g. `queries/kpi/registrations.sql`. */
  readonly file: string;
  /** Named parameter (without the colon) → the SQL expression that replaces it. */
  readonly bindings: Readonly<Record<string, string>>;
}

export interface KpiSql {
  /** The file's text with the bindings substituted. */
  readonly sql: string;
  readonly source: KpiSqlSource;
}

/** Grafana's PostgreSQL macros expand to quoted UTC instants ('2026-01-01T00:00:00Z'); cast once here. */
export const grafanaTime = {
  from: '$__timeFrom()::timestamptz',
  to: '$__timeTo()::timestamptz',
  /** The start of the UTC month holding the range start: KPI periods are aligned (DESIGN.md). */
  monthOfFrom: "date_trunc('month', $__timeFrom()::timestamptz, 'UTC')",
  /**
   * Every UTC month start from the one holding the range start to the range end, as the KPI engine's
   * `:bounds` (months stepped on UTC wall time, so a session time zone cannot shift them).
   */
  monthStarts:
    "ARRAY(SELECT m AT TIME ZONE 'UTC' FROM generate_series(date_trunc('month', $__timeFrom()::timestamptz AT TIME ZONE 'UTC'), " +
    "$__timeTo()::timestamptz AT TIME ZONE 'UTC' - interval '1 microsecond', interval '1 month') AS m)",
} as const;

/** Replaces every named parameter of `sqlText` with its binding; refuses a missing or an unused binding. */
export function bindNamedParams(sqlText: string, bindings: Readonly<Record<string, string>>): string {
  // The compiler leaves comments and literals as they are; a `$1` in one would be mistaken for a placeholder.
  if (/\$\d/.test(sqlText)) throw new Error('a KPI SQL file must not contain "$<digit>" anywhere');
  const compiled = compileNamedSql(sqlText);
  const missing = compiled.names.filter((name) => !(name in bindings));
  const unused = Object.keys(bindings).filter((name) => !compiled.names.includes(name));
  if (missing.length > 0 || unused.length > 0)
    throw new Error(`bindings do not match the parameters: missing ${missing}, unused ${unused}`);
  return compiled.text.replace(
    /\$(\d+)/g,
    (_match, position: string) => bindings[compiled.names[Number(position) - 1] as string] as string,
  );
}

/** Reads `queries/<file>` and binds its parameters. */
export function kpiSql(file: string, bindings: Readonly<Record<string, string>>): KpiSql {
  const text = readFileSync(join(queriesDir, file), 'utf8').trim();
  return { sql: bindNamedParams(text, bindings), source: { file: `queries/${file}`, bindings } };
}

/** The description lines naming a source and its bindings (parsed back by the tests). */
export function describeSource(source: KpiSqlSource): string {
  const lines = Object.entries(source.bindings).map(([name, value]) => `- \`:${name}\` = \`${value}\``);
  return [`SQL from \`${source.file}\` with:`, ...lines].join('\n');
}

/** Parses what `describeSource` wrote: every source named in a description. */
export function parseSources(description: string): KpiSqlSource[] {
  const blocks = description.matchAll(
    /SQL from `(queries\/[^`]+\.sql)` with:\n((?:- `:\w+` = `[^`\n]*`\n?)*)/g,
  );
  return [...blocks].map((block) => ({
    file: block[1] as string,
    bindings: Object.fromEntries(
      [...(block[2] as string).matchAll(/- `:(\w+)` = `([^`\n]*)`/g)].map((m) => [m[1], m[2]]),
    ),
  }));
}
