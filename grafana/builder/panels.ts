// Panel builders: a panel is its title, what it explains, what it asks and how to show it; ids and grid
// positions come from the layout (dashboard.ts). SQL panels name every column they show (`columns`): the
// names become field overrides, and the live test checks the SQL really returns those columns.
import type { DatasourceRef } from './datasources.ts';
import { describeSource } from './kpi-sql.ts';
import { type Query, toTargets } from './queries.ts';
import type { FieldOverride, Panel } from './types.ts';

/** A value mapping (Grafana's `type: 'value'`): each raw value shown as its text, in its colour. */
export type ValueMapping = Readonly<Record<string, { readonly text: string; readonly color?: string }>>;

/** A panel before layout: its size instead of an id and a position. */
export type PanelDraft = Omit<Panel, 'id' | 'gridPos'> & { readonly w: number; readonly h: number };

export interface Column {
  readonly name: string;
  readonly label: string;
  readonly unit?: string;
  /** The column's values shown as these texts (a label's short ids as the words they stand for). */
  readonly mappings?: ValueMapping;
  /** The cell's text in its mapping's colour. */
  readonly colorText?: boolean;
}

export interface Threshold {
  readonly value: number;
  readonly color: 'orange' | 'red' | 'green' | 'blue';
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly datasource: DatasourceRef;
  readonly queries: readonly Query[];
  readonly w?: number;
  readonly h?: number;
  readonly unit?: string;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Colour steps above the base (green); time series draw them as dashed lines. */
  readonly thresholds?: readonly Threshold[];
  /** The colour below the first step; green when absent. */
  readonly baseColor?: Threshold['color'];
  readonly columns?: readonly Column[];
  readonly mappings?: readonly Record<string, unknown>[];
}

function describe(spec: PanelSpec): string {
  const sources = spec.queries.flatMap((query) => (query.kind === 'sql' ? query.sources : []));
  return [spec.description, ...sources.map(describeSource)].join('\n\n');
}

/** Grafana's mappings list for one value mapping, entries numbered in their order. */
export function valueMappings(mapping: ValueMapping): Record<string, unknown>[] {
  const options = Object.fromEntries(
    Object.entries(mapping).map(([value, shown], index) => [value, { ...shown, index }]),
  );
  return [{ type: 'value', options }];
}

function overrides(columns: readonly Column[] = []): FieldOverride[] {
  return columns.map((column) => ({
    matcher: { id: 'byName', options: column.name },
    properties: [
      { id: 'displayName', value: column.label },
      ...(column.unit ? [{ id: 'unit', value: column.unit }] : []),
      ...(column.mappings ? [{ id: 'mappings', value: valueMappings(column.mappings) }] : []),
      ...(column.colorText ? [{ id: 'custom.cellOptions', value: { type: 'color-text' } }] : []),
    ],
  }));
}

function defaults(spec: PanelSpec, custom: Record<string, unknown>): Record<string, unknown> {
  return {
    unit: spec.unit ?? 'short',
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(spec.decimals !== undefined ? { decimals: spec.decimals } : {}),
    ...(spec.mappings ? { mappings: spec.mappings } : {}),
    color: { mode: spec.thresholds && !('drawStyle' in custom) ? 'thresholds' : 'palette-classic' },
    thresholds: {
      mode: 'absolute',
      steps: [{ color: spec.baseColor ?? 'green', value: null }, ...(spec.thresholds ?? [])],
    },
    custom,
  };
}

function draft(
  spec: PanelSpec,
  type: string,
  custom: Record<string, unknown>,
  options: Record<string, unknown>,
  size: { w: number; h: number },
): PanelDraft {
  return {
    type,
    title: spec.title,
    description: describe(spec),
    datasource: spec.datasource,
    targets: toTargets(spec.queries, spec.datasource),
    fieldConfig: { defaults: defaults(spec, custom), overrides: overrides(spec.columns) },
    options,
    w: spec.w ?? size.w,
    h: spec.h ?? size.h,
  };
}

const legend = { displayMode: 'list', placement: 'bottom', showLegend: true, calcs: [] };
const reduceLast = { calcs: ['lastNotNull'], fields: '', values: false };

export interface TimeseriesSpec extends PanelSpec {
  readonly bars?: boolean;
  readonly stacked?: boolean;
  readonly logScale?: boolean;
}

export function timeseries(spec: TimeseriesSpec): PanelDraft {
  const custom = {
    drawStyle: spec.bars ? 'bars' : 'line',
    lineWidth: 1,
    fillOpacity: spec.bars ? 80 : 10,
    showPoints: 'never',
    spanNulls: false,
    stacking: { mode: spec.stacked ? 'normal' : 'none', group: 'A' },
    scaleDistribution: spec.logScale ? { type: 'log', log: 10 } : { type: 'linear' },
    thresholdsStyle: { mode: spec.thresholds ? 'dashed' : 'off' },
  };
  const options = { legend, tooltip: { mode: 'multi', sort: 'desc' } };
  return draft(spec, 'timeseries', custom, options, { w: 12, h: 8 });
}

export function stat(spec: PanelSpec): PanelDraft {
  const options = {
    reduceOptions: reduceLast,
    orientation: 'auto',
    textMode: 'value_and_name',
    colorMode: 'value',
    graphMode: 'area',
    justifyMode: 'auto',
  };
  return draft(spec, 'stat', {}, options, { w: 6, h: 5 });
}

export function barGauge(spec: PanelSpec): PanelDraft {
  const options = {
    reduceOptions: reduceLast,
    orientation: 'horizontal',
    displayMode: 'gradient',
    valueMode: 'color',
    showUnfilled: true,
  };
  return draft(spec, 'bargauge', {}, options, { w: 8, h: 6 });
}

export interface TableSpec extends PanelSpec {
  /** Columns left out (the instant query's `Time`), and the order of the rest, by field name. */
  readonly hide?: readonly string[];
  readonly order?: readonly string[];
  /** Rows sorted by these columns' shown names, ascending. */
  readonly sortBy?: readonly string[];
}

export function table(spec: TableSpec): PanelDraft {
  const options = {
    showHeader: true,
    cellHeight: 'sm',
    footer: { show: false, reducer: ['sum'] },
    ...(spec.sortBy ? { sortBy: spec.sortBy.map((displayName) => ({ displayName, desc: false })) } : {}),
  };
  const organize =
    spec.hide || spec.order
      ? [
          {
            id: 'organize',
            options: {
              excludeByName: Object.fromEntries((spec.hide ?? []).map((name) => [name, true])),
              indexByName: Object.fromEntries((spec.order ?? []).map((name, index) => [name, index])),
              renameByName: {},
            },
          },
        ]
      : [];
  return {
    ...draft(spec, 'table', { align: 'auto' }, options, { w: 12, h: 8 }),
    ...(organize.length > 0 ? { transformations: organize } : {}),
  };
}

export interface TextSpec {
  readonly title: string;
  readonly description: string;
  /** Markdown. */
  readonly content: string;
  readonly w?: number;
  readonly h?: number;
}

/** A markdown text panel: no datasource, no query. */
export function text(spec: TextSpec): PanelDraft {
  return {
    type: 'text',
    title: spec.title,
    description: spec.description,
    targets: [],
    fieldConfig: { defaults: {}, overrides: [] },
    options: { mode: 'markdown', content: spec.content },
    w: spec.w ?? 24,
    h: spec.h ?? 8,
  };
}

export function stateTimeline(spec: PanelSpec): PanelDraft {
  const options = {
    showValue: 'never',
    mergeValues: true,
    alignValue: 'left',
    rowHeight: 0.9,
    legend,
    tooltip: { mode: 'single', sort: 'none' },
  };
  return draft(spec, 'state-timeline', { lineWidth: 0, fillOpacity: 80 }, options, { w: 24, h: 10 });
}
