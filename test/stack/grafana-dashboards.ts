// Reads the committed Grafana dashboards as Grafana would (JSON from grafana/dashboards/) and lists what the
// stack tests check in them: panels (rows flattened), their targets, the variables each query uses, and the
// columns a SQL panel says it shows. The checks return lists of problems so a test can also prove that a
// broken copy is caught.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindNamedParams, parseSources } from '../../grafana/builder/kpi-sql.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const dashboardsDir = join(repoRoot, 'grafana', 'dashboards');

export interface DatasourceRef {
  readonly type?: string;
  readonly uid?: string;
}

export interface TargetJson {
  readonly refId: string;
  readonly datasource?: DatasourceRef;
  readonly expr?: string;
  readonly legendFormat?: string;
  readonly rawSql?: string;
  readonly format?: string;
  readonly instant?: boolean;
}

export interface PanelJson {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: DatasourceRef;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly targets?: TargetJson[];
  readonly panels?: PanelJson[];
  readonly fieldConfig?: { overrides: { matcher: { id: string; options: string } }[] };
}

export interface VariableJson {
  readonly name: string;
  readonly type: string;
  readonly query: string;
  readonly datasource?: DatasourceRef;
}

export interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly tags: string[];
  readonly time: { from: string; to: string };
  readonly templating: { list: VariableJson[] };
  readonly panels: PanelJson[];
}

export function committedDashboardFiles(): string[] {
  return existsSync(dashboardsDir)
    ? readdirSync(dashboardsDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
}

export function readDashboard(file: string): DashboardJson {
  return JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as DashboardJson;
}

/** Every panel, the ones nested in collapsed rows included; row headers too. */
export function allPanels(dashboard: DashboardJson): PanelJson[] {
  return dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** Panels that query something. */
export function queryPanels(dashboard: DashboardJson): PanelJson[] {
  return allPanels(dashboard).filter((panel) => (panel.targets ?? []).length > 0);
}

/** The columns a SQL panel shows: the field names its overrides match. */
export function declaredColumns(panel: PanelJson): string[] {
  return (panel.fieldConfig?.overrides ?? [])
    .filter((override) => override.matcher.id === 'byName')
    .map((override) => override.matcher.options);
}

// Grafana's three variable syntaxes: $name, ${name} / ${name:format}, [[name]].
const variableUse = /\$([A-Za-z_]\w*)|\$\{([A-Za-z_]\w*)(?::[^}]*)?\}|\[\[([A-Za-z_]\w*)\]\]/g;

/** Dashboard variables a text uses (Grafana's built-ins such as $__rate_interval excluded). */
export function variablesUsed(text: string): string[] {
  const names = [...text.matchAll(variableUse)].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
  return [...new Set(names.filter((name) => !name.startsWith('__')))];
}

export function duplicatePanelIds(dashboard: DashboardJson): number[] {
  const ids = allPanels(dashboard).map((panel) => panel.id);
  return ids.filter((id, index) => ids.indexOf(id) !== index);
}

/** `Panel "x" A: $name` for every variable used in a query or legend and not defined. */
export function undefinedVariables(dashboard: DashboardJson): string[] {
  const defined = new Set(dashboard.templating.list.map((variable) => variable.name));
  return queryPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).flatMap((target) =>
      variablesUsed(`${target.expr ?? ''} ${target.rawSql ?? ''} ${target.legendFormat ?? ''}`)
        .filter((name) => !defined.has(name))
        .map((name) => `panel "${panel.title}" ${target.refId}: $${name}`),
    ),
  );
}

/** Datasource references (panels, targets, variables) whose uid is not provisioned or whose type differs. */
export function unknownDatasources(dashboard: DashboardJson, provisioned: Map<string, string>): string[] {
  const refs: [string, DatasourceRef | undefined][] = [
    ...queryPanels(dashboard).flatMap((panel) => [
      [`panel "${panel.title}"`, panel.datasource] as [string, DatasourceRef | undefined],
      ...(panel.targets ?? []).map(
        (t) => [`panel "${panel.title}" ${t.refId}`, t.datasource] as [string, DatasourceRef | undefined],
      ),
    ]),
    ...dashboard.templating.list.map(
      (v) => [`variable ${v.name}`, v.datasource] as [string, DatasourceRef | undefined],
    ),
  ];
  return refs
    .filter(([, ref]) => !ref?.uid || provisioned.get(ref.uid) !== ref.type)
    .map(([where, ref]) => `${where}: ${JSON.stringify(ref ?? null)}`);
}

/**
 * SQL that cannot be traced to queries/: a SQL panel without a named source, a source file that does not
 * exist, or a file whose text (parameters replaced as the description says) is not in the panel's SQL.
 */
export function untracedSql(dashboard: DashboardJson): string[] {
  const problems: string[] = [];
  for (const panel of queryPanels(dashboard)) {
    const sqls = (panel.targets ?? []).flatMap((target) => (target.rawSql ? [target.rawSql] : []));
    if (sqls.length === 0) continue;
    const sources = parseSources(panel.description ?? '');
    if (sources.length === 0) problems.push(`panel "${panel.title}": SQL without a source in queries/`);
    const found = new Set<string>();
    for (const source of sources) {
      const path = join(repoRoot, source.file);
      if (!existsSync(path)) {
        problems.push(`panel "${panel.title}": ${source.file} does not exist`);
        continue;
      }
      let body: string;
      try {
        body = bindNamedParams(readFileSync(path, 'utf8').trim(), source.bindings);
      } catch (error) {
        problems.push(`panel "${panel.title}": ${source.file}: ${(error as Error).message}`);
        continue;
      }
      const holders = sqls.filter((sql) => sql.includes(body));
      if (holders.length === 0) problems.push(`panel "${panel.title}": the SQL differs from ${source.file}`);
      for (const sql of holders) found.add(sql);
    }
    for (const sql of sqls.filter((s) => !found.has(s)))
      problems.push(`panel "${panel.title}": a query holds none of its sources: ${sql.slice(0, 60)}…`);
  }
  return problems;
}
