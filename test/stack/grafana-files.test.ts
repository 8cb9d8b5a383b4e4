// grafana/ proven without Grafana (it is not packaged for Debian): the committed dashboards are exactly the
// generator's output, validate against the dashboard schema of @grafana/schema, refer only to provisioned
// datasources (by uid and type), number their panels uniquely, define every variable they use, filter every
// agent query by the live-health variables, and take every line of KPI SQL from queries/. Provisioning is
// checked against the files it depends on: prometheus' scrape interval and docker-compose.yml.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { burnAlertName, burnFactor, burnRateAlertTable } from '../../core/slo/burn-rate-alerts.ts';
import { sloCatalog } from '../../core/slo/slo-catalog.ts';
import { burnWindowNames, burnWindows } from '../../core/slo/slo-windows.ts';
import { promDuration } from '../../core/telemetry/promql.ts';
import { budgetLeftPromql, burnRatePromql } from '../../grafana/builder/slo-promql.ts';
import { generateDashboards } from '../../grafana/generate-dashboards.ts';
import { scrapeIntervalSeconds } from '../../prometheus/generator/settings.ts';
import { inCi } from '../support/postgres.ts';
import {
  allPanels,
  committedDashboardFiles,
  type DashboardJson,
  declaredColumns,
  duplicatePanelIds,
  type PanelJson,
  queryPanels,
  readDashboard,
  repoRoot,
  undefinedVariables,
  unknownDatasources,
  untracedSql,
  variablesUsed,
} from './grafana-dashboards.ts';

const schemaPath = join(repoRoot, '..', 'shared', 'schemas', 'grafana-dashboard.schema.json');
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's provisioning syntax, not a JS template.
const passwordReference = '${POSTGRES_PASSWORD}';
const readYaml = (path: string) => parse(readFileSync(join(repoRoot, path), 'utf8'), { merge: true });

interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  user?: string;
  isDefault?: boolean;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}
const datasourcesFile = 'grafana/provisioning/datasources/datasources.yml';
const datasources = (readYaml(datasourcesFile) as { datasources: ProvisionedDatasource[] }).datasources;
const provisioned = new Map(datasources.map((ds) => [ds.uid, ds.type]));
const byUid = (uid: string) => datasources.find((ds) => ds.uid === uid) as ProvisionedDatasource;

const expected: Record<string, { uid: string; title: string; time: { from: string; to: string } }> = {
  'pledgr-live-health.json': {
    uid: 'pledgr-live-health',
    title: 'Pledgr Pulse — live health',
    time: { from: 'now-1h', to: 'now' },
  },
  'pledgr-business.json': {
    uid: 'pledgr-business',
    title: 'Pledgr Pulse — business KPIs',
    time: { from: 'now-1y', to: 'now' },
  },
  'pledgr-scaling.json': {
    uid: 'pledgr-scaling',
    title: 'Pledgr Pulse — scaling',
    time: { from: 'now-7d', to: 'now' },
  },
  'pledgr-slo.json': {
    uid: 'pledgr-slo',
    title: 'Pledgr Pulse — service-level objectives',
    time: { from: 'now-24h', to: 'now' },
  },
};
const files = Object.keys(expected).sort();
const dashboards: [string, DashboardJson][] = committedDashboardFiles().map((f) => [f, readDashboard(f)]);
const clone = (dashboard: DashboardJson): DashboardJson => structuredClone(dashboard);
const find = (file: string) => (dashboards.find(([f]) => f === file) as [string, DashboardJson])[1];

describe('grafana/ dashboards', () => {
  it('are exactly what the generator writes now (no drift), and nothing else', () => {
    const generated = generateDashboards();
    expect(committedDashboardFiles()).toEqual(Object.keys(generated).sort());
    expect(committedDashboardFiles()).toEqual(files);
    for (const [file, text] of Object.entries(generated))
      expect(readFileSync(join(repoRoot, 'grafana', 'dashboards', file), 'utf8'), file).toBe(text);
  });

  it('have their fixed uid, title, tags and default time range', () => {
    for (const [file, dashboard] of dashboards) {
      const want = expected[file];
      expect(want, `unexpected dashboard ${file}`).toBeDefined();
      expect({ uid: dashboard.uid, title: dashboard.title, time: dashboard.time }).toEqual(want);
      expect(dashboard.tags).toContain('pledgr');
    }
  });

  it('give every panel an id unique within its dashboard and a place on the 24-column grid, no overlap', () => {
    for (const [file, dashboard] of dashboards) {
      expect(duplicatePanelIds(dashboard), file).toEqual([]);
      const cells = new Map<string, number>();
      for (const panel of allPanels(dashboard)) {
        const { x, y, w, h } = panel.gridPos;
        expect(x + w, `${file} panel ${panel.id} is wider than the grid`).toBeLessThanOrEqual(24);
        for (let row = y; row < y + h; row++)
          for (let column = x; column < x + w; column++) {
            const key = `${column},${row}`;
            expect(
              cells.get(key),
              `${file}: panels ${cells.get(key)} and ${panel.id} overlap`,
            ).toBeUndefined();
            cells.set(key, panel.id);
          }
      }
    }
    const doubled = clone(find('pledgr-scaling.json'));
    doubled.panels.push(doubled.panels[1] as (typeof doubled.panels)[number]);
    expect(duplicatePanelIds(doubled)).toHaveLength(1);
  });

  it('refer only to provisioned datasources, by uid and type', () => {
    for (const [file, dashboard] of dashboards)
      expect(unknownDatasources(dashboard, provisioned), file).toEqual([]);
    const broken = clone(find('pledgr-business.json'));
    const panel = queryPanels(broken)[0] as { datasource: { uid: string } };
    panel.datasource.uid = 'prometheus';
    expect(unknownDatasources(broken, provisioned)).toHaveLength(1);
  });

  it('define every variable a query or legend uses, and use every variable they define', () => {
    for (const [file, dashboard] of dashboards) {
      expect(undefinedVariables(dashboard), file).toEqual([]);
      const used = new Set(
        queryPanels(dashboard).flatMap((panel) =>
          (panel.targets ?? []).flatMap((target) => variablesUsed(target.expr ?? target.rawSql ?? '')),
        ),
      );
      for (const variable of dashboard.templating.list)
        expect(used, `${file}: $${variable.name} unused`).toContain(variable.name);
    }
    const broken = clone(find('pledgr-live-health.json'));
    broken.templating.list = broken.templating.list.filter((variable) => variable.name !== 'route');
    expect(undefinedVariables(broken).length).toBeGreaterThan(0);
  });

  it('filter every live-health query by instance and version, and every HTTP query by route too', () => {
    const dashboard = find('pledgr-live-health.json');
    expect(dashboard.templating.list.map((v) => [v.name, v.query])).toEqual([
      ['instance', 'label_values(process_memory_usage, service_instance_id)'],
      ['route', 'label_values(http_server_request_duration_count, http_route)'],
      ['version', 'label_values(process_memory_usage, service_version)'],
    ]);
    for (const panel of queryPanels(dashboard))
      for (const target of panel.targets ?? []) {
        const expr = target.expr ?? '';
        const selectors = [...expr.matchAll(/\b([a-z_][a-z0-9_]*)\{([^}]*)\}/g)];
        expect(selectors.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const [, name, matchers] of selectors) {
          expect(matchers, `${panel.title}: ${name}`).toContain('service_instance_id=~"$instance"');
          expect(matchers, `${panel.title}: ${name}`).toContain('service_version=~"$version"');
          if (name?.startsWith('http_server_request_duration'))
            expect(matchers, `${panel.title}: ${name}`).toContain('http_route=~"$route"');
        }
        // Every metric in the expression carries the matchers: none is left bare.
        expect(expr.replace(/\{[^}]*\}/g, '{}'), panel.title).not.toMatch(
          /\b(http_server|db_client|v8js|process_memory|nodejs_eventloop|pledgr_rate)\w*\[/,
        );
      }
  });

  it('take every SQL panel from queries/: the file exists and its text, parameters bound, is in the SQL', () => {
    const business = find('pledgr-business.json');
    const sqlPanels = queryPanels(business).filter((panel) => panel.targets?.some((t) => t.rawSql));
    expect(sqlPanels.length).toBeGreaterThanOrEqual(6);
    for (const [file, dashboard] of dashboards) expect(untracedSql(dashboard), file).toEqual([]);

    // A copy edited by hand (or a file changed without regenerating) is caught.
    const edited = clone(business);
    const target = queryPanels(edited)
      .flatMap((panel) => panel.targets ?? [])
      .find((t) => t.rawSql?.includes('FROM users u')) as {
      rawSql: string;
    };
    target.rawSql = target.rawSql.replace('FROM users u', 'FROM users AS u');
    expect(untracedSql(edited)).toEqual(
      expect.arrayContaining([expect.stringContaining('the SQL differs from queries/kpi/registrations.sql')]),
    );
    const unnamed = clone(business);
    (
      queryPanels(unnamed).find((p) => p.targets?.some((t) => t.rawSql)) as { description: string }
    ).description = '';
    expect(untracedSql(unnamed)[0]).toContain('SQL without a source');
  });

  it('make every SQL time series select a `time` column and name the columns it shows', () => {
    for (const panel of queryPanels(find('pledgr-business.json')))
      for (const target of panel.targets ?? []) {
        if (!target.rawSql) continue;
        expect(declaredColumns(panel).length, panel.title).toBeGreaterThan(0);
        if (target.format === 'time_series')
          expect(target.rawSql, panel.title).toMatch(/^SELECT [^\n]* AS time\b/);
        expect(target.rawSql, panel.title).not.toMatch(/\$__(?!timeFrom\(\)|timeTo\(\))/);
      }
  });
});

describe('grafana/ SLO dashboard', () => {
  const slo = find('pledgr-slo.json');
  /** The SLO's panel of that title: each row's panels describe their objective first. */
  const panelOf = (id: string, title: string) =>
    queryPanels(slo).find(
      (p) => p.title.startsWith(title) && p.description?.startsWith(`${id}`),
    ) as PanelJson;
  const thresholds = (panel: PanelJson) =>
    (
      panel as unknown as {
        fieldConfig: { defaults: { thresholds: { steps: { value: number | null; color: string }[] } } };
      }
    ).fieldConfig.defaults.thresholds.steps;

  it("has a row per objective of the catalog, each counting with the collector's PromQL", () => {
    const rows = slo.panels.filter((panel) => panel.type === 'row').map((row) => row.title);
    expect(rows.slice(1)).toEqual(sloCatalog.map((s) => expect.stringMatching(new RegExp(`^${s.id} — `))));
    for (const definition of sloCatalog) {
      const budget = panelOf(definition.id, 'Error budget left');
      expect(budget.targets?.map((t) => [t.expr, t.instant])).toEqual([
        [budgetLeftPromql(definition, promDuration(definition.windowSeconds)), true],
      ]);
      const burn = panelOf(definition.id, 'Burn rate by window');
      expect(burn.targets?.map((t) => [t.legendFormat, t.expr])).toEqual(
        burnWindowNames.map((name) => [name, burnRatePromql(definition, promDuration(burnWindows[name]))]),
      );
    }
    // The objective's budget share is in the query as the catalog writes it, not as 1 − 0.999 computes.
    expect(panelOf('PledgeApiAvailability', 'Burn rate by window').targets?.[0]?.expr).toMatch(/\/ 0\.001$/);
  });

  it('marks the page and ticket factors of the alert table as thresholds, and shows every burn-rate alert', () => {
    for (const definition of sloCatalog) {
      const factors = burnRateAlertTable.map((row) => burnFactor(row, definition));
      expect(factors).toEqual([14.4, 6, 3, 1]);
      expect(thresholds(panelOf(definition.id, 'Burn rate by window'))).toEqual([
        { color: 'green', value: null },
        { value: 1, color: 'orange' },
        { value: 3, color: 'orange' },
        { value: 6, color: 'red' },
        { value: 14.4, color: 'red' },
      ]);
      const states = panelOf(definition.id, 'Burn-rate alerts').targets ?? [];
      expect(states.map((t) => t.legendFormat)).toEqual(['page: {{alertname}}', 'ticket: {{alertname}}']);
      for (const row of burnRateAlertTable) {
        const target = states[row.severity === 'page' ? 0 : 1];
        expect(target?.expr).toContain(`"${burnAlertName(definition, row)}"`);
        expect(target?.expr).toMatch(/^max by \(alertname\) \(ALERTS\{alertname=~"[^"]*BudgetBurn/);
      }
    }
  });
});

function describeWithSchema(name: string, suite: () => void): void {
  const reason = `${schemaPath} not found (../shared/ beside the checkout)`;
  if (existsSync(schemaPath)) {
    describe(name, suite);
  } else if (inCi) {
    describe(name, () => {
      it('needs the Grafana dashboard schema', () => {
        throw new Error(reason);
      });
    });
  } else {
    console.warn(`[skipped] ${name}: ${reason}`);
    describe.skip(name, suite);
  }
}

describeWithSchema('grafana/ dashboards against the Grafana dashboard schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  const errors = (dashboard: unknown) =>
    validate(dashboard) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

  it('validates every dashboard', () => {
    for (const [file, dashboard] of dashboards) expect(errors(dashboard), file).toEqual([]);
  });

  it('refuses a misspelt key and an out-of-range value (the check is not vacuous)', () => {
    const misspelt = clone(find('pledgr-live-health.json')) as unknown as {
      panels: Record<string, unknown>[];
    };
    const panel = misspelt.panels[1] as Record<string, unknown>;
    panel.gridpos = panel.gridPos;
    delete panel.gridPos;
    expect(errors(misspelt).join('\n')).toMatch(/additional properties/);
    const badEnum = { ...clone(find('pledgr-scaling.json')), graphTooltip: 3 };
    expect(errors(badEnum).length).toBeGreaterThan(0);
  });
});

describe('grafana/provisioning', () => {
  it('provisions Prometheus and PostgreSQL under the uids the dashboards use', () => {
    expect(datasources.map((ds) => [ds.uid, ds.type])).toEqual([
      ['pledgr-prometheus', 'prometheus'],
      ['pledgr-postgres', 'grafana-postgresql-datasource'],
    ]);
    const used = new Set(
      dashboards.flatMap(([, d]) => queryPanels(d).map((panel) => panel.datasource?.uid as string)),
    );
    expect([...used].sort()).toEqual(['pledgr-postgres', 'pledgr-prometheus']);
    expect(datasources.filter((ds) => ds.isDefault).map((ds) => ds.uid)).toEqual(['pledgr-prometheus']);
  });

  it("gives Prometheus prometheus.yml's scrape interval, on which $__rate_interval depends", () => {
    const prometheus = byUid('pledgr-prometheus');
    expect(prometheus.url).toBe('http://prometheus:9090');
    expect(prometheus.jsonData?.timeInterval).toBe(`${scrapeIntervalSeconds}s`);
  });

  it('reads the PostgreSQL password from the environment, never from the file', () => {
    const postgres = byUid('pledgr-postgres');
    expect({ url: postgres.url, user: postgres.user, database: postgres.jsonData?.database }).toEqual({
      url: 'postgres:5432',
      user: 'pledgr',
      database: 'pledgr',
    });
    expect(postgres.secureJsonData).toEqual({ password: passwordReference });
    // The only `$` in the file is that reference (Grafana would expand any other).
    const text = readFileSync(join(repoRoot, datasourcesFile), 'utf8').replace(/^\s*#.*$/gm, '');
    expect(text.match(/\$\S*/g)).toEqual([passwordReference]);
  });

  it('loads the dashboards from where docker-compose.yml mounts grafana/dashboards', () => {
    const providers = (
      readYaml('grafana/provisioning/dashboards/dashboards.yml') as {
        providers: { type: string; options: { path: string }; allowUiUpdates: boolean }[];
      }
    ).providers;
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({
      type: 'file',
      allowUiUpdates: false,
      options: { path: '/var/lib/grafana/dashboards' },
    });
  });

  it.skipIf(!existsSync(join(repoRoot, 'docker-compose.yml')))(
    'agrees with docker-compose.yml: database, user, password variable and mounts',
    () => {
      const services = (
        readYaml('docker-compose.yml') as {
          services: Record<
            string,
            {
              environment?: Record<string, string>;
              volumes?: ({ source?: string; target: string } | string)[];
            }
          >;
        }
      ).services;
      const postgres = byUid('pledgr-postgres');
      expect(postgres.url).toBe('postgres:5432');
      expect(services.postgres?.environment).toMatchObject({
        POSTGRES_DB: postgres.jsonData?.database,
        POSTGRES_USER: postgres.user,
      });
      expect(Object.keys(services.grafana?.environment ?? {})).toContain('POSTGRES_PASSWORD');
      const mounts = (services.grafana?.volumes ?? []).flatMap((v) =>
        typeof v === 'string' ? [] : [[v.source, v.target]],
      );
      expect(mounts).toEqual(
        expect.arrayContaining([
          ['./grafana/provisioning', '/etc/grafana/provisioning'],
          ['./grafana/dashboards', '/var/lib/grafana/dashboards'],
        ]),
      );
    },
  );
});
