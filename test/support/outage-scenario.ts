// The database-outage scenario (no test-runner imports: the test asserts on it, bench/soak.ts prints it):
// a private PostgreSQL, the real agent process on it and the collector in-process (scraping the agent),
// pledge write load, then `pg_ctl stop -m fast`, probes while it is down, `pg_ctl start`, and the time
// until the agent is ready and writes succeed again. Returns what was observed; judges nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAlertService } from '../../collector/alerts/alert-service.ts';
import { createAlertInputGatherer } from '../../collector/alerts/gather-inputs.ts';
import { systemClock } from '../../collector/alerts/types.ts';
import { alertThresholds } from '../../core/alerts/thresholds.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { KpiReport } from '../../core/kpi/types.ts';
import { postJson, startAgentProcess } from './agent-process.ts';
import { getJson, startTestCollector } from './collector.ts';
import { startPrivatePostgres } from './private-postgres.ts';
import { missingPledges, signUpWriter, startWriteLoad, type WriteTally } from './write-load.ts';

export interface OutageOptions {
  readonly clients: number;
  readonly amountCents: number;
  readonly beforeMs: number;
  readonly outageMs: number;
  readonly afterMs: number;
  /** The agent's DB_POOL_CONNECTION_TIMEOUT_MS: the longest a write may wait for a connection. */
  readonly connectionTimeoutMs: number;
}

export interface Probe {
  readonly status: number;
  readonly body: unknown;
  readonly ms: number;
}

export interface OutageResult {
  readonly tally: WriteTally;
  readonly readyBefore: number;
  readonly readyDuring: Probe;
  readonly writeDuring: Probe;
  readonly kpisBefore: KpiReport;
  readonly kpisDuring: { readonly status: number; readonly body: KpiReport };
  readonly kpisAfter: KpiReport;
  /** Active alerts as `name:state` (pending or firing), before and during the outage. */
  readonly alertsBefore: readonly string[];
  readonly alertsDuring: readonly string[];
  /** ms from `pg_ctl start` returning until /readyz answered 200, and until a write was acknowledged. */
  readonly readyAfterMs: number;
  readonly firstWriteAfterMs: number;
  /** ms `pg_ctl start -w` itself took. */
  readonly postgresStartMs: number;
  readonly agentExitCodeDuringRun: number | null;
  readonly agentExitCode: number | null;
  /** Acknowledged pledge ids with no row. */
  readonly lost: readonly number[];
  readonly pledgeRows: number;
  readonly memory: { readonly agentRssBefore: number; readonly agentRssAfter: number } & MemoryFigures;
}

/** The collector runs in this process: its heap (after a GC when `gc` is exposed) and resident set. */
interface MemoryFigures {
  readonly collectorHeapBefore: number;
  readonly collectorHeapAfter: number;
  readonly collectorRssBefore: number;
  readonly collectorRssAfter: number;
}

function collectorMemory(): { heap: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  return { heap: heapUsed, rss };
}

/** The KPI-source rule fires after this many seconds without a successful read (900 s in production). */
export const testKpiMaxAgeSeconds = 1;

const countPledges = defineQuery<Record<string, never>, { n: number }>(
  'test.countPledges',
  'SELECT count(*)::int AS n FROM pledges',
);

export async function runOutageScenario(options: OutageOptions): Promise<OutageResult> {
  const postgres = await startPrivatePostgres();
  const dataDir = await mkdtemp(join(tmpdir(), 'pulse-outage-'));
  const cleanup: Array<() => Promise<unknown>> = [
    () => rm(dataDir, { recursive: true, force: true }),
    () => postgres.destroy(),
  ];
  try {
    const agent = await startAgentProcess({
      DATABASE_URL: postgres.url,
      RATE_LIMIT_API: 'off',
      RATE_LIMIT_AUTH: 'off',
      DB_POOL_CONNECTION_TIMEOUT_MS: String(options.connectionTimeoutMs),
    });
    cleanup.unshift(() => agent.stop());
    const pool = { max: 5, idleTimeoutMillis: 5_000, connectionTimeoutMillis: options.connectionTimeoutMs };
    const collector = await startTestCollector(
      { kind: 'postgres', url: postgres.url, dataDir, pool },
      { health: { agentMetricsUrls: [agent.metricsUrl], scrapeIntervalMs: 1_000, retentionMs: 3_600_000 } },
    );
    cleanup.unshift(() => collector.stop());
    // The collector's own alert service judges KPI freshness against 900 s; this one, on the same database
    // and KPI engine, uses a 1 s threshold and re-reads the KPIs at every evaluation.
    const alerts = createAlertService({
      db: collector.db,
      inputs: createAlertInputGatherer({
        db: collector.db,
        engine: collector.engine,
        health: null,
        clock: systemClock,
        kpiRefreshMs: 0,
        log: () => undefined,
      }),
      thresholds: {
        ...alertThresholds,
        staleness: { ...alertThresholds.staleness, kpiMaxAgeSeconds: testKpiMaxAgeSeconds },
      },
      evaluationIntervalMs: 3_600_000,
      log: () => undefined,
    });
    cleanup.unshift(() => alerts.stop());
    const activeAlerts = async () => {
      await alerts.evaluateOnce();
      return alerts.active().map((alert) => `${alert.alertname}:${alert.state}`);
    };
    const checker = openPostgresDb({ url: postgres.url, pool });
    cleanup.unshift(() => checker.close());

    const monthStart = new Date();
    monthStart.setUTCDate(1);
    const nextMonth = new Date(monthStart);
    nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1);
    const kpiPath = `/api/kpis?interval=month&from=${day(monthStart)}&to=${day(nextMonth)}`;

    const writer = await signUpWriter(agent.url, 'outage');
    const agentRssBefore = await agentRss(agent.metricsUrl);
    const collectorBefore = collectorMemory();
    const load = startWriteLoad(agent.url, writer, {
      clients: options.clients,
      amountCents: options.amountCents,
      keyPrefix: `outage-${Date.now()}`,
    });
    await pause(options.beforeMs);
    const readyBefore = (await fetch(`${agent.url}/readyz`)).status;
    const kpisBefore = (await getJson(collector, kpiPath, 'founder')).body as KpiReport;
    const alertsBefore = await activeAlerts();

    load.phase = 'outage';
    await postgres.stop();
    const readyDuring = await probe(() => fetch(`${agent.url}/readyz`));
    const writeDuring = await probe(() =>
      fetch(`${agent.url}/api/pledges`, {
        method: 'POST',
        headers: { ...writer.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ artistId: writer.artistId, amountCents: options.amountCents }),
      }),
    );
    await pause(Math.max(options.outageMs, (testKpiMaxAgeSeconds + 0.5) * 1000));
    const kpisDuring = await getJson(collector, kpiPath, 'founder');
    const alertsDuring = await activeAlerts();
    const agentExitCodeDuringRun = agent.child.exitCode;

    load.phase = 'recovery';
    const startIssued = Date.now();
    await postgres.start();
    const started = Date.now();
    const postgresStartMs = started - startIssued;
    const readyAfterMs = await waitFor(
      async () => (await fetch(`${agent.url}/readyz`)).status === 200,
      started,
    );
    const firstWriteAfterMs = await waitFor(
      async () =>
        (
          await postJson(
            `${agent.url}/api/pledges`,
            { artistId: writer.artistId, amountCents: options.amountCents },
            { ...writer.auth, 'idempotency-key': `recovery-probe-${started}` },
          )
        ).status === 201,
      started,
    );
    load.phase = 'after';
    await pause(options.afterMs);
    const tally = await load.stop();
    const kpisAfter = (await getJson(collector, kpiPath, 'founder')).body as KpiReport;
    const agentRssAfter = await agentRss(agent.metricsUrl);
    const collectorAfter = collectorMemory();
    const lost = await missingPledges(checker, [...tally.acknowledged.values()]);
    const [rows] = await checker.query(countPledges, {});
    const agentExitCode = await agent.stop();
    return {
      tally,
      readyBefore,
      readyDuring,
      writeDuring,
      kpisBefore,
      kpisDuring: kpisDuring as OutageResult['kpisDuring'],
      kpisAfter,
      alertsBefore,
      alertsDuring,
      readyAfterMs,
      firstWriteAfterMs,
      postgresStartMs,
      agentExitCodeDuringRun,
      agentExitCode,
      lost,
      pledgeRows: rows?.n ?? 0,
      memory: {
        agentRssBefore,
        agentRssAfter,
        collectorHeapBefore: collectorBefore.heap,
        collectorHeapAfter: collectorAfter.heap,
        collectorRssBefore: collectorBefore.rss,
        collectorRssAfter: collectorAfter.rss,
      },
    };
  } finally {
    for (const step of cleanup) await step().catch(() => undefined);
  }
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

async function probe(send: () => Promise<Response>): Promise<Probe> {
  const started = Date.now();
  const response = await send();
  const body = await response.json().catch(() => null);
  return { status: response.status, body, ms: Date.now() - started };
}

/** Polls every 50 ms (up to 30 s); returns ms since `since` when `check` first held. */
async function waitFor(check: () => Promise<boolean>, since: number): Promise<number> {
  for (;;) {
    if (await check().catch(() => false)) return Date.now() - since;
    if (Date.now() - since > 30_000) throw new Error('no recovery within 30 s');
    await pause(50);
  }
}

/** The agent's resident memory from its own metrics (OTel `process.memory.usage`). */
async function agentRss(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => /^process_memory_usage(_bytes)?(\{[^}]*\})? /.test(l));
  return line ? Number(line.split(' ').at(-1)) : Number.NaN;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
