// Every Grafana panel against the real services it would query (Grafana itself is not packaged for Debian):
// a real Prometheus scrapes, every second, two real agents (a stable one and a canary, with injected 500s,
// under `pulse load` traffic) and the collector (with its metrics token), all on one temporary PostgreSQL
// database holding demo data. Then every Prometheus query of every panel — variables at "All" and at real
// values, $__rate_interval replaced — must return a series with a value, and every SQL panel — Grafana's
// time macros replaced by instants — must run on PostgreSQL and return the time and value columns the panel
// shows, computing for each closed month the same KPIs as the collector's engine.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runLoad } from '../../cli/load/load-generator.ts';
import { createPrometheusClient } from '../../collector/health/prometheus-client.ts';
import type { RunningCollector } from '../../collector/server.ts';
import { buildSloReport } from '../../collector/slo/slo-report.ts';
import { prometheusTrafficSource } from '../../collector/slo/traffic-source.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { migrate } from '../../core/migrate.ts';
import { scalingItems } from '../../core/scaling/scaling-guide.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { sloCatalog } from '../../core/slo/slo-catalog.ts';
import { type AgentProcess, startAgentProcess } from '../support/agent-process.ts';
import { startTestCollector } from '../support/collector.ts';
import { testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';
import {
  describeWithPrometheus,
  type RunningPrometheus,
  startPrometheus,
} from '../support/prometheus-server.ts';
import { testRedisUrl } from '../support/redis.ts';
import {
  committedDashboardFiles,
  type DashboardJson,
  declaredColumns,
  type PanelJson,
  queryPanels,
  readDashboard,
} from './grafana-dashboards.ts';

const metricsToken = 'grafana-live-metrics-token-0123';
const scrapeSeconds = 1;
/** What Grafana would make of $__rate_interval at this scrape interval (4 × scrape), with a little room. */
const rateInterval = `${6 * scrapeSeconds}s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dashboards: [string, DashboardJson][] = committedDashboardFiles().map((f) => [f, readDashboard(f)]);
const dashboard = (uid: string) => (dashboards.find(([, d]) => d.uid === uid) as [string, DashboardJson])[1];
const panel = (uid: string, title: string) =>
  queryPanels(dashboard(uid)).find((p) => p.title === title) as PanelJson;

/** Grafana's escaping of a selected value inside `=~"…"` (a regex in a PromQL string). */
const regexValue = (value: string) => value.replace(/[\\^$*+?.()|[\]{}]/g, '\\\\$&');

/** A panel's PromQL as Grafana would send it: built-ins and the dashboard's variables replaced. */
function promQuery(expr: string, values: Readonly<Record<string, string>>): string {
  const replaced = expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('$__interval', `${scrapeSeconds}s`)
    .replace(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
      const name = (braced ?? bare) as string;
      return values[name] ?? whole;
    });
  if (replaced.includes('$')) throw new Error(`unreplaced variable in ${replaced}`);
  return replaced;
}

/** RFC 3339 without milliseconds, quoted: what $__timeFrom() and $__timeTo() expand to. */
const sqlInstant = (date: Date) => `'${date.toISOString().replace(/\.\d{3}Z$/, 'Z')}'`;

function sqlQuery(rawSql: string, from: Date, to: Date): string {
  const replaced = rawSql
    .replaceAll('$__timeFrom()', sqlInstant(from))
    .replaceAll('$__timeTo()', sqlInstant(to))
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_m, column: string) => `${column} BETWEEN ${sqlInstant(from)} AND ${sqlInstant(to)}`,
    );
  if (replaced.includes('$__')) throw new Error(`unknown Grafana macro in ${replaced.slice(0, 200)}`);
  return replaced;
}

/** A signed-in user reading their profile (GET /api/me) 5 times a second: profile-cache look-ups. */
async function readProfiles(agent: AgentProcess, signal: AbortSignal): Promise<void> {
  const registered = await fetch(`${agent.url}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: `profile-${Date.now()}-${Math.random()}@example.test`,
      password: 'profile pass',
    }),
  });
  const { token } = (await registered.json()) as { token: string };
  while (!signal.aborted) {
    await fetch(`${agent.url}/api/me`, { headers: { authorization: `Bearer ${token}` } })
      .then((response) => response.arrayBuffer())
      .catch(() => undefined);
    await sleep(200);
  }
}

describeWithPostgres('Grafana panels on a real Prometheus and PostgreSQL', () => {
  describeWithPrometheus('every panel returns data', () => {
    let temp: TempDatabase;
    let dataDir = '';
    let collector: RunningCollector;
    const agents: AgentProcess[] = [];
    let prometheus: RunningPrometheus;
    const stopLoad = new AbortController();
    let load: Promise<unknown> = Promise.resolve();
    let sql: pg.Client;
    const now = new Date();

    beforeAll(async () => {
      temp = await createTempDatabase('pulse_grafana');
      dataDir = await mkdtemp(join(tmpdir(), 'pulse-grafana-'));
      // Demo data first: the collector reads the user count for its alerts when it starts (then every minute).
      // 1,500 users over a year: past the 1K milestone, so UsersReached1K goes pending at once.
      const db = await openPostgresDb({ url: temp.url, pool: testPool });
      await migrate(db);
      await seedDemoData(db, { users: 1_500, months: 12, seed: 7, until: now, append: false });
      await db.close();
      collector = await startTestCollector(
        { kind: 'postgres', url: temp.url, dataDir, pool: testPool },
        { metricsToken, alerts: { evaluationIntervalMs: 1_000 } },
      );
      const agentEnv = {
        DATABASE_URL: temp.url,
        PULSE_DATA_DIR: dataDir,
        DB_POOL_MAX: '5',
        RATE_LIMIT_API: 'off',
        // On, but out of reach of the load: the rejections series exists (at 0) only while a limiter is on.
        RATE_LIMIT_AUTH: '100000/15m',
        FAULT_ROUTES: '/api/artists/:id',
        // The profile cache on (its own Redis database, apart from other suites' keys): the hit-ratio panel.
        REDIS_URL: `${testRedisUrl.replace(/\/\d*$/, '')}/14`,
      };
      agents.push(
        ...(await Promise.all([
          startAgentProcess({ ...agentEnv, FAULT_ERROR_RATE: '0.02' }),
          startAgentProcess({ ...agentEnv, FAULT_ERROR_RATE: '0.4', DEPLOYMENT_CANARY: 'true' }),
        ])),
      );
      const config = join(dataDir, 'prometheus.yml');
      const targets = agents.map((agent) => `'${new URL(agent.metricsUrl).host}'`).join(', ');
      await writeFile(
        config,
        [
          'global:',
          `  scrape_interval: ${scrapeSeconds}s`,
          `  evaluation_interval: ${scrapeSeconds}s`,
          'scrape_configs:',
          '  - job_name: pledgr-agent',
          `    static_configs: [{ targets: [${targets}] }]`,
          '  - job_name: pledgr-collector',
          '    authorization:',
          `      credentials: ${metricsToken}`,
          `    static_configs: [{ targets: ['${new URL(collector.url).host}'] }]`,
          '',
        ].join('\n'),
      );
      prometheus = await startPrometheus(config);
      load = Promise.all([
        ...agents.map((agent) =>
          runLoad({
            url: agent.url,
            durationSeconds: 120,
            connections: 2,
            invalidShare: 0.05,
            ratePerSecond: 40,
            signal: stopLoad.signal,
          }),
        ),
        ...agents.map((agent) => readProfiles(agent, stopLoad.signal)),
      ]);
      await prometheus.waitFor(
        `count(sum by (service_instance_id) (rate(http_server_request_duration_count[${rateInterval}])) > 0)`,
        45_000,
        (samples) => samples[0]?.value === 2,
      );
      await prometheus.waitFor('pledgr_alert_state > 0', 30_000);
      // A few more scrapes so every rate window holds several samples of the load.
      await sleep(3_000);
      sql = new pg.Client({ connectionString: temp.url });
      await sql.connect();
    }, 120_000);

    afterAll(async () => {
      stopLoad.abort();
      await load.catch(() => undefined);
      await sql?.end().catch(() => undefined);
      await prometheus?.stop();
      await Promise.all(agents.map((agent) => agent.stop()));
      await collector?.stop();
      await temp?.drop();
      await rm(dataDir, { recursive: true, force: true });
    }, 60_000);

    async function labelValues(query: string): Promise<string[]> {
      const match = /^label_values\((\w+), (\w+)\)$/.exec(query);
      if (!match) throw new Error(`not a label_values query: ${query}`);
      const url = `${prometheus.url}/api/v1/label/${match[2]}/values?match[]=${encodeURIComponent(match[1] as string)}`;
      return ((await (await fetch(url)).json()) as { data: string[] }).data;
    }

    it('fills every template variable from Prometheus', async () => {
      const variables = dashboards.flatMap(([, d]) => d.templating.list);
      expect(variables.length).toBeGreaterThan(0);
      for (const variable of variables) {
        const values = await labelValues(variable.query);
        expect(values.length, `${variable.name}: ${variable.query}`).toBeGreaterThan(0);
      }
      const instances = await labelValues('label_values(process_memory_usage, service_instance_id)');
      expect(instances).toHaveLength(2);
    });

    it('returns a series for every Prometheus query of every panel, variables at All and at real values', async () => {
      const canary = (
        await prometheus.query(
          'group by (service_instance_id) (process_memory_usage{deployment_canary="true"})',
        )
      )[0]?.metric.service_instance_id as string;
      const version = (await labelValues('label_values(process_memory_usage, service_version)'))[0] as string;
      const selections: Record<string, string>[] = [
        { instance: '.*', route: '.*', version: '.*' },
        { instance: regexValue(canary), route: regexValue('/api/artists/:id'), version: regexValue(version) },
      ];
      const empty: string[] = [];
      let queries = 0;
      for (const [file, d] of dashboards)
        for (const p of queryPanels(d))
          for (const target of p.targets ?? []) {
            if (target.expr === undefined) continue;
            for (const values of selections) {
              const expr = promQuery(target.expr, values);
              const samples = await prometheus.query(expr);
              queries++;
              if (!samples.some((sample) => Number.isFinite(sample.value)))
                empty.push(`${file} "${p.title}" ${target.refId}: ${expr}`);
            }
          }
      console.info(`[grafana live] ${queries} Prometheus queries, ${empty.length} without data`);
      expect(queries).toBeGreaterThan(60);
      expect(empty).toEqual([]);
    });

    it('runs every SQL panel on PostgreSQL, returning rows with the time and value columns it shows', async () => {
      const from = new Date(now.getTime() - 365 * 86_400_000);
      const problems: string[] = [];
      let queries = 0;
      for (const [file, d] of dashboards)
        for (const p of queryPanels(d)) {
          const targets = (p.targets ?? []).filter((t) => t.rawSql !== undefined);
          if (targets.length === 0) continue;
          const declared = declaredColumns(p);
          const returned = new Set<string>();
          for (const target of targets) {
            const where = `${file} "${p.title}" ${target.refId}`;
            const result = await sql
              .query(sqlQuery(target.rawSql as string, from, now))
              .catch((error: Error) => error);
            queries++;
            if (result instanceof Error) {
              problems.push(`${where}: ${result.message}`);
              continue;
            }
            const names = result.fields.map((field) => field.name);
            const values = target.format === 'time_series' ? names.slice(1) : names;
            if (target.format === 'time_series') {
              const times = result.rows.map((row) => row.time as unknown);
              if (names[0] !== 'time') problems.push(`${where}: first column is ${names[0]}, not time`);
              if (!times.every((t, i) => t instanceof Date && (i === 0 || (times[i - 1] as Date) <= t)))
                problems.push(`${where}: time is not an ascending timestamp column`);
            }
            for (const name of values) {
              returned.add(name);
              if (!declared.includes(name))
                problems.push(`${where}: returns ${name}, which the panel does not show`);
              if (!result.rows.some((row) => row[name] !== null))
                problems.push(`${where}: ${name} has no value`);
            }
            if (result.rows.length === 0) problems.push(`${where}: no rows`);
          }
          for (const name of declared.filter((n) => !returned.has(n)))
            problems.push(`${file} "${p.title}": shows ${name}, which no query returns`);
        }
      console.info(`[grafana live] ${queries} SQL queries`);
      expect(queries).toBeGreaterThanOrEqual(7);
      expect(problems).toEqual([]);
    });

    it("computes each closed month's KPIs exactly as the collector's engine does", async () => {
      const from = new Date(now.getTime() - 365 * 86_400_000);
      const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
      const day = (d: Date) => d.toISOString().slice(0, 10);
      const report = await collector.engine.report({
        from: day(monthStart(from)),
        to: day(monthStart(now)),
        interval: 'month',
        asOf: now,
      });
      expect(report.periods.length).toBe(12);

      /** A panel target's rows by time (ms) → column → number. */
      async function series(title: string, refId = 'A'): Promise<Map<number, Record<string, number | null>>> {
        const target = panel('pledgr-business', title).targets?.find((t) => t.refId === refId);
        const result = await sql.query(sqlQuery(target?.rawSql as string, from, now));
        return new Map(
          result.rows.map((row) => [
            (row.time as Date).getTime(),
            Object.fromEntries(
              Object.entries(row)
                .filter(([name]) => name !== 'time')
                .map(([name, value]) => [name, value === null ? null : Number(value)]),
            ),
          ]),
        );
      }
      // One client, so one query at a time.
      const registrations = await series('Registrations per month');
      const mrr = await series('MRR at each month start');
      const users = await series('Users and pledgers at each month start', 'A');
      const pledgers = await series('Users and pledgers at each month start', 'B');
      const conversion = await series('30-day conversion by registration month');
      const movements = await series('MRR movements per month');
      const churn = await series('Logo churn and gross MRR churn by month');
      /** A rate as the panel shows it (a missing row or NULL is "no value") against the engine's. */
      const same = (shown: number | null | undefined, engine: number | null, what: string) => {
        if (engine === null) expect(shown ?? null, what).toBeNull();
        else expect(shown, what).toBeCloseTo(engine, 9);
      };
      for (const period of report.periods) {
        const at = new Date(period.periodStart).getTime();
        const month = period.periodStart.slice(0, 7);
        expect(registrations.get(at)?.registrations ?? 0, `${month} registrations`).toBe(
          period.registrations,
        );
        same(mrr.get(at)?.mrr, period.mrrStartCents / 100, `${month} MRR at start`);
        expect(users.get(at)?.users, `${month} users at start`).toBe(
          period.usersAtEnd - period.registrations,
        );
        expect(pledgers.get(at)?.pledgers, `${month} pledgers at start`).toBe(period.pledgersAtStart);
        same(conversion.get(at)?.conversion, period.conversionRate, `${month} conversion`);
        // A month without any pledge event has no movement row: nothing moved, nobody churned.
        const moved = movements.get(at) ?? { new: 0, churned: 0, contraction: 0 };
        same(moved.new, period.newMrrCents / 100, `${month} new MRR`);
        same(moved.churned, -period.churnedMrrCents / 100, `${month} churned MRR`);
        same(moved.contraction, -period.contractionMrrCents / 100, `${month} contraction MRR`);
        const churned = churn.get(at);
        same(
          churned ? churned.logoChurn : period.pledgersAtStart > 0 ? 0 : null,
          period.logoChurnRate,
          `${month} logo churn`,
        );
        same(
          churned ? churned.grossMrrChurn : period.mrrStartCents > 0 ? 0 : null,
          period.grossMrrChurnRate,
          `${month} gross MRR churn`,
        );
      }
    });

    it("shows every scaling checklist item in the scaling guide row's table, and the current phase", async () => {
      const checklist = panel('pledgr-scaling', 'Checklist').targets?.[0];
      const rows = await prometheus.query(checklist?.expr as string);
      expect(rows.map((row) => row.metric.item).sort()).toEqual(scalingItems.map((item) => item.id).sort());
      expect(rows.every((row) => [1, 0, -1].includes(row.value))).toBe(true);
      const phase = await prometheus.query(
        panel('pledgr-scaling', 'Current phase').targets?.[0]?.expr as string,
      );
      // The demo data's 1,500 users, with those `pulse load` registers, are phase 2, Growth.
      expect(phase[0]?.value).toBe(2);
    });

    it('shows the burn rates and budgets the collector computes for GET /api/slo from the same Prometheus', async () => {
      const at = Math.floor(Date.now() / 1000);
      const source = prometheusTrafficSource(createPrometheusClient(prometheus.url), () => at * 1000);
      const report = await buildSloReport(sloCatalog, source, () => at * 1000);
      const slo = queryPanels(dashboard('pledgr-slo'));
      const panelOf = (id: string, title: string) =>
        slo.find((p) => p.title.startsWith(title) && p.description?.startsWith(id)) as PanelJson;
      const shown = async (expr: string | undefined) =>
        (await prometheus.query(expr as string, at))[0]?.value;
      let compared = 0;
      for (const figures of report.slos) {
        const burn = panelOf(figures.id, 'Burn rate by window');
        for (const window of figures.burnRates) {
          const target = burn.targets?.find((t) => t.legendFormat === window.window);
          const value = await shown(target?.expr);
          if (window.burnRate === null) expect(value, `${figures.id} ${window.window}`).toBeUndefined();
          else expect(value, `${figures.id} ${window.window}`).toBeCloseTo(window.burnRate, 9);
          compared += window.burnRate === null ? 0 : 1;
        }
        const budget = await shown(panelOf(figures.id, 'Error budget left').targets?.[0]?.expr);
        expect(budget, `${figures.id} budget`).toBeCloseTo(figures.errorBudget.left as number, 9);
      }
      console.info('[grafana live] SLO burn rates compared with the collector:', compared);
      // The canary's injected 500s burn the availability budget: not a comparison of zeros only.
      const availability = report.slos.find((s) => s.id === 'PledgeApiAvailability');
      expect(availability?.burnRates[0]?.burnRate).toBeGreaterThan(0);
      expect(compared).toBe(sloCatalog.length * 7);
    });

    it("shows the canary's higher error ratio beside the baseline's in the canary row", async () => {
      const target = panel('pledgr-live-health', 'Error ratio (5xx) by version').targets?.[0];
      const samples = await prometheus.query(
        promQuery(target?.expr as string, { instance: '.*', route: '.*', version: '.*' }),
      );
      const ratio = (canary: string) =>
        samples.find((s) => s.metric.deployment_canary === canary)?.value ?? Number.NaN;
      console.info('[grafana live] error ratio canary / baseline', ratio('true'), ratio('false'));
      expect(samples).toHaveLength(2);
      expect(ratio('true')).toBeGreaterThan(ratio('false'));
    });
  });
});
