// A dashboard from rows of panel drafts: numbers the panels 1, 2, … in reading order and places them on
// Grafana's 24-column grid, each row's panels left to right, wrapping to a new line when one does not fit.
import type { PanelDraft } from './panels.ts';
import type { Dashboard, DashboardLink, Panel, QueryVariable, RowPanel } from './types.ts';

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelDraft[];
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly variables?: readonly QueryVariable[];
  readonly rows: readonly RowSpec[];
}

const gridColumns = 24;

/** Grafana 12.1's dashboard schema version (docker-compose.yml runs grafana/grafana:12.1.1). */
export const schemaVersion = 41;

/** Every Pulse dashboard links to the others through their shared tag. */
const pulseLinks: DashboardLink[] = [
  {
    title: 'Pledgr Pulse',
    type: 'dashboards',
    tags: ['pledgr'],
    asDropdown: true,
    icon: 'external link',
    includeVars: false,
    keepTime: true,
    targetBlank: false,
    tooltip: '',
  },
];

export function layout(rows: readonly RowSpec[]): (Panel | RowPanel)[] {
  const panels: (Panel | RowPanel)[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: gridColumns, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const { w, h, ...panel } of row.panels) {
      if (x + w > gridColumns) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      const { type, title, description, datasource, ...rest } = panel;
      panels.push({ id: id++, type, title, description, datasource, gridPos: { h, w, x, y }, ...rest });
      x += w;
      lineHeight = Math.max(lineHeight, h);
    }
    y += lineHeight;
  }
  return panels;
}

export function dashboard(spec: DashboardSpec): Dashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    timezone: 'utc',
    editable: false,
    graphTooltip: 1,
    time: spec.time,
    refresh: spec.refresh,
    schemaVersion,
    version: 1,
    links: pulseLinks,
    templating: { list: spec.variables ?? [] },
    panels: layout(spec.rows),
  };
}
