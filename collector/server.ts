// Starts the collector: database (migrated), the read database (a replica when DATABASE_READ_URL is set),
// tokens, KPI engine, the live health source, the alert service and its history pruning
// (ALERT_HISTORY_RETENTION), the scaling checklist, the /metrics gauges and the live-event hub, then the
// HTTP server. Stops them in reverse: server, alerts, health, databases.
// KPI, cohort and scaling reads use the read database; every write (alert history, scaling records, the
// KPI change-log pruning) stays on the primary.
import type { AddressInfo } from 'node:net';
import { buildAlertRules } from '../core/alerts/rules.ts';
import { alertThresholds } from '../core/alerts/thresholds.ts';
import { openDb } from '../core/db/open-db.ts';
import { openReadDb, ReplicaRoutingDb } from '../core/db/read-replica.ts';
import type { Db } from '../core/db/types.ts';
import { listen } from '../core/http/client-errors.ts';
import { KpiEngine } from '../core/kpi/kpi-engine.ts';
import { migrate } from '../core/migrate.ts';
import { buildSloCatalog, defaultSloSettings } from '../core/slo/slo-catalog.ts';
import { markUntracked } from '../core/telemetry/untracked-server.ts';
import { createAlertLease, defaultHolderId } from './alerts/alert-lease.ts';
import { type AlertService, createAlertService } from './alerts/alert-service.ts';
import { defaultRetryPolicy } from './alerts/deliver.ts';
import { createAlertInputGatherer } from './alerts/gather-inputs.ts';
import { type HistoryPruner, startHistoryPruner } from './alerts/history-pruner.ts';
import { systemClock } from './alerts/types.ts';
import { createCollectorApp } from './app.ts';
import {
  alertLeaseDefaultMs,
  type CollectorConfig,
  defaultAlertHistorySettings,
  defaultCollectorLimits,
  defaultKpiSettings,
} from './config.ts';
import { EventHub } from './events/event-hub.ts';
import { createHealthSource } from './health/create-health-source.ts';
import type { HealthSource } from './health/types.ts';
import { ConcurrencyLimit } from './http/concurrency-limit.ts';
import { registerAlertLeaderGauge } from './metrics/alert-leader-gauge.ts';
import { registerDatabaseConnectionGauges } from './metrics/database-connection-gauges.ts';
import { createCollectorMetrics } from './metrics/kpi-gauges.ts';
import { registerReplicaGauges } from './metrics/replica-gauges.ts';
import { createAgentSeriesReader } from './scaling/agent-series.ts';
import { createExposedFilesProbe } from './scaling/exposed-files.ts';
import { readScalingHealth } from './scaling/health-inputs.ts';
import { cacheScalingReports } from './scaling/report-cache.ts';
import { checklistStatuses, createScalingService } from './scaling/scaling-service.ts';
import { createTrafficSource } from './slo/create-traffic-source.ts';
import { type ResolvedTokens, resolveTokens } from './tokens.ts';

export interface RunningCollector {
  readonly url: string;
  readonly tokens: ResolvedTokens;
  readonly db: Db;
  /** Where KPI, cohort and scaling reads go: `db` itself unless DATABASE_READ_URL names a replica. */
  readonly readDb: Db;
  readonly engine: KpiEngine;
  readonly health: HealthSource | null;
  readonly alerts: AlertService;
  readonly events: EventHub;
  /** What live health reads: the agents' metrics URLs, or the Prometheus server. */
  readonly healthTargets: readonly string[];
  stop(): Promise<void>;
}

export interface StartCollectorOptions {
  /** A database opened by the caller (`pulse start` shares one with the agent); left open on stop. */
  readonly db?: Db;
}

export async function startCollector(
  config: CollectorConfig,
  log: (message: string) => void = (message) => console.error(message),
  options: StartCollectorOptions = {},
): Promise<RunningCollector> {
  const db = options.db ?? (await openDb(config.database, 'pulse-collector'));
  let readDb: Db = db;
  const closeDb = async () => {
    if (readDb !== db) await readDb.close();
    if (!options.db) await db.close();
  };
  let health: HealthSource | null = null;
  let alerts: AlertService | null = null;
  let historyPruner: HistoryPruner | null = null;
  try {
    await migrate(db);
    readDb = await openReadDb(config.database, db, 'pulse-collector', { log });
    const tokens = await resolveTokens(config.database.dataDir, config);
    const kpi = config.kpi ?? defaultKpiSettings;
    const engine = new KpiEngine(readDb, {
      currency: config.currency,
      cachePeriods: kpi.cachePeriods,
      maxOpenUsers: kpi.openPeriodUsers,
      movementSlices: kpi.querySlices,
      writeDb: db,
      onStoreError: (error) => log(`kpi: computed periods not stored (${(error as Error).message})`),
    });
    const events = new EventHub();
    const limits = config.limits ?? defaultCollectorLimits;

    health = createHealthSource(config.health);
    health?.onTick((latest) => events.publish('health', latest));
    health?.start();

    // The alert rules, built once from the configured thresholds (PULSE_CONFIG's `alerts`, the scrape
    // interval) and SLO catalog: the alert service evaluates them, GET /api/catalog lists them.
    const slos = buildSloCatalog(config.slo ?? defaultSloSettings);
    const configuredThresholds = config.alerts.thresholds ?? alertThresholds;
    const thresholds = {
      ...configuredThresholds,
      staleness: {
        ...configuredThresholds.staleness,
        healthIntervalSeconds: config.health.scrapeIntervalMs / 1000,
      },
    };
    const alertRules = buildAlertRules(thresholds, slos);
    // The SLO counts GET /api/slo reports and the burn-rate alerts read; made before any scrape round has
    // finished, so the SLO ledger sees every one.
    const traffic = createTrafficSource(health, config.health, slos);

    // The outside look at the monitored app, shared by GET /api/scaling and the alert evaluation.
    const exposedFiles = createExposedFilesProbe({ urls: config.monitoredAppUrls ?? [] });
    // Every evaluation (GET /api/scaling, the alerts' re-read) is kept a minute for /metrics.
    const scaling = cacheScalingReports(
      createScalingService({
        db,
        readDb,
        database: config.database,
        redisConfigured: config.redisConfigured,
        ...(health ? { readHealth: readScalingHealth(health) } : {}),
        readAgentSeries: createAgentSeriesReader(config.health),
        exposedFiles,
        monitoringFreshSeconds: Math.max(120, (4 * config.health.scrapeIntervalMs) / 1000),
        legacyFollowStaleIntervals: thresholds.legacyFollow.staleIntervals,
      }),
    );

    alerts = createAlertService({
      db,
      inputs: createAlertInputGatherer({
        db,
        engine,
        databaseKind: config.database.kind,
        health,
        clock: systemClock,
        exposedFiles,
        checklist: async () => checklistStatuses(await scaling.report()),
        traffic,
        slos,
        log,
      }),
      evaluationIntervalMs: config.alerts.evaluationIntervalMs,
      thresholds,
      rules: alertRules,
      notifications: {
        webhookUrl: config.alerts.webhookUrl ?? null,
        alertmanagerUrl: config.alerts.alertmanagerUrl ?? null,
        generatorUrl: null,
        retry: defaultRetryPolicy,
      },
      // Always through the lease, PGlite included (one process: it is simply always held).
      lease: createAlertLease(
        config.alerts.lease ?? {
          holderId: defaultHolderId(),
          durationMs: alertLeaseDefaultMs(config.alerts.evaluationIntervalMs),
        },
      ),
      log,
    });
    alerts.onTransition((transition) => events.publish('alert', transition));
    await alerts.start();
    historyPruner = startHistoryPruner({
      db,
      retentionMs: (config.alertHistory ?? defaultAlertHistorySettings).retentionMs,
      log,
    });
    const pruner = historyPruner;

    const running = alerts;
    const metrics = createCollectorMetrics({
      engine,
      alertStates: () => running.states(),
      scalingReport: () => scaling.recent(),
    });
    if (readDb instanceof ReplicaRoutingDb) registerReplicaGauges(metrics.registry, readDb);
    registerAlertLeaderGauge(metrics.registry, () => running.leader());
    // The server's connection limit, on the primary (the replica is another server with its own).
    registerDatabaseConnectionGauges(metrics.registry, db);

    const app = createCollectorApp({
      db,
      readDb,
      engine,
      tokens: tokens.tokens,
      metricsToken: config.metricsToken,
      currency: config.currency,
      kpiLimit: new ConcurrencyLimit({ maxRunning: kpi.maxConcurrent, maxQueued: kpi.maxQueued }),
      health,
      healthRetentionSeconds: config.health.retentionMs / 1000,
      alerts,
      alertRules,
      alertThresholds: thresholds,
      scaling,
      metrics,
      events,
      limits,
      log,
      slo: {
        catalog: slos,
        source: traffic,
      },
    });
    const server = await listen(app, config.port, config.host, limits.http);
    // In `pulse start` the agent's drop-in shares this process: the collector's requests are not the API's.
    markUntracked(server);
    const { port } = server.address() as AddressInfo;
    const source = health;
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      tokens,
      db,
      readDb,
      engine,
      health,
      alerts,
      events,
      healthTargets: config.health.prometheusUrl
        ? [config.health.prometheusUrl]
        : config.health.agentMetricsUrls,
      async stop() {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Open event streams would keep server.close() waiting: end them, and drop idle keep-alives.
        events.close();
        server.closeIdleConnections();
        await closed;
        await running.stop();
        await pruner.stop();
        await source?.stop();
        await closeDb();
      },
    };
  } catch (error) {
    await alerts?.stop().catch(() => undefined);
    await historyPruner?.stop();
    await health?.stop().catch(() => undefined);
    await closeDb();
    throw error;
  }
}
