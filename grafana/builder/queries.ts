// What a panel asks: PromQL with its legend, or SQL built from queries/ with its sources. The panel builders
// turn these into Grafana targets (refId A, B, … and the panel's datasource).

import type { DatasourceRef } from './datasources.ts';
import type { KpiSqlSource } from './kpi-sql.ts';
import type { Target } from './types.ts';

export interface PromQuery {
  readonly kind: 'prometheus';
  readonly expr: string;
  readonly legend: string;
  /** One value per series at the end of the range (tables, stats) instead of a range. */
  readonly instant: boolean;
}

export interface SqlQuery {
  readonly kind: 'sql';
  readonly sql: string;
  readonly sources: readonly KpiSqlSource[];
  /** `time_series` needs a column named `time`; `table` takes the rows as they come. */
  readonly format: 'time_series' | 'table';
}

export type Query = PromQuery | SqlQuery;

export function prom(expr: string, legend: string, options: { instant?: boolean } = {}): PromQuery {
  return { kind: 'prometheus', expr, legend, instant: options.instant ?? false };
}

export function sqlSeries(sql: string, sources: readonly KpiSqlSource[]): SqlQuery {
  return { kind: 'sql', sql, sources, format: 'time_series' };
}

export function sqlTable(sql: string, sources: readonly KpiSqlSource[]): SqlQuery {
  return { kind: 'sql', sql, sources, format: 'table' };
}

export function toTargets(queries: readonly Query[], datasource: DatasourceRef): Target[] {
  return queries.map((query, index) => {
    const refId = String.fromCharCode(65 + index);
    if (query.kind === 'sql')
      return {
        refId,
        datasource,
        editorMode: 'code',
        rawQuery: true,
        rawSql: query.sql,
        format: query.format,
      };
    return {
      refId,
      datasource,
      editorMode: 'code',
      expr: query.expr,
      legendFormat: query.legend,
      range: !query.instant,
      instant: query.instant,
      format: query.instant ? 'table' : 'time_series',
    };
  });
}
