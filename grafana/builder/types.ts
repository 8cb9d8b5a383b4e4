// The subset of Grafana's dashboard JSON model the builders emit, typed so a misspelt key fails `tsc`. The
// full model is the JSON schema the tests validate the output against
// (../shared/schemas/grafana-dashboard.schema.json, from @grafana/schema 13.2.3).
import type { DatasourceRef } from './datasources.ts';

export interface GridPos {
  readonly h: number;
  readonly w: number;
  readonly x: number;
  readonly y: number;
}

export interface PromTarget {
  readonly refId: string;
  readonly datasource: DatasourceRef;
  readonly editorMode: 'code';
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: boolean;
  readonly instant: boolean;
  readonly format: 'time_series' | 'table';
}

export interface SqlTarget {
  readonly refId: string;
  readonly datasource: DatasourceRef;
  readonly editorMode: 'code';
  readonly rawQuery: true;
  readonly rawSql: string;
  readonly format: 'time_series' | 'table';
}

export type Target = PromTarget | SqlTarget;

export interface FieldOverride {
  readonly matcher: { readonly id: 'byName'; readonly options: string };
  readonly properties: readonly { readonly id: string; readonly value: unknown }[];
}

export interface FieldConfigSource {
  readonly defaults: Record<string, unknown>;
  readonly overrides: readonly FieldOverride[];
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description: string;
  /** Absent on a text panel, which queries nothing. */
  readonly datasource?: DatasourceRef;
  readonly gridPos: GridPos;
  readonly targets: readonly Target[];
  readonly fieldConfig: FieldConfigSource;
  readonly options: Record<string, unknown>;
  readonly transformations?: readonly { readonly id: string; readonly options: unknown }[];
}

export interface RowPanel {
  readonly id: number;
  readonly type: 'row';
  readonly title: string;
  readonly collapsed: false;
  readonly gridPos: GridPos;
  readonly panels: readonly [];
}

export interface QueryVariable {
  readonly type: 'query';
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly datasource: DatasourceRef;
  readonly query: string;
  readonly refresh: 2;
  readonly includeAll: true;
  readonly multi: true;
  readonly allValue: '.*';
  readonly current: { readonly text: 'All'; readonly value: '$__all' };
  readonly sort: 1;
  readonly regex: '';
}

export interface DashboardLink {
  readonly title: string;
  readonly type: 'dashboards';
  readonly tags: readonly string[];
  readonly asDropdown: boolean;
  readonly icon: string;
  readonly includeVars: boolean;
  readonly keepTime: boolean;
  readonly targetBlank: boolean;
  readonly tooltip: string;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: 'utc';
  readonly editable: boolean;
  readonly graphTooltip: 1;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly schemaVersion: number;
  readonly version: 1;
  readonly links: readonly DashboardLink[];
  readonly templating: { readonly list: readonly QueryVariable[] };
  readonly panels: readonly (Panel | RowPanel)[];
}
