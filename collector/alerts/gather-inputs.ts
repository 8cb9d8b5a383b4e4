// Gathers the alert inputs: the newest health point from the health source, and from the database the
// user count and the KPI figures the business rules read (via the KPI engine, as /api/kpis does). The
// database part is re-read at most once per kpiRefreshMs — user counts and closed months move slowly, and
// the KPI engine's cache makes a re-read cheap anyway. A failed read leaves those inputs null (rules keep
// their state) and the KPI freshness unchanged, so KpiRefreshStale fires if it goes on. The state of
// `pulse import-sqlite --follow` (one small row per followed file) is read at every evaluation: a sync that
// just happened must not be judged on a minute-old read. The outside look at the monitored app (sensitive
// files served) is asked at every evaluation; the probe keeps its answer for a minute. The scaling
// checklist's statuses (for the milestone alerts' text) are re-read with the database inputs. The server's
// connections against its max_connections are read at every evaluation too, on `db` — the primary, whose
// limit the agents' pools share (never the read replica: its connections are another server's) — with one
// constant query (database-connections.ts); none on PGlite. Each SLO's burn rate over every burn window is
// counted at every evaluation from the same traffic source as GET /api/slo (collector/slo/slo-burns.ts).

import type { ChecklistStatuses } from '../../core/alerts/scaling-phases.ts';
import type { DatabaseKind, Db } from '../../core/db/types.ts';
import type { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { alignDown, nextBoundary } from '../../core/kpi/periods.ts';
import type { KpiReport } from '../../core/kpi/types.ts';
import { type SloDefinition, sloCatalog } from '../../core/slo/slo-catalog.ts';
import type { HealthSource } from '../health/types.ts';
import type { ExposedFilesProbe } from '../scaling/exposed-files.ts';
import { readLegacyFollow } from '../scaling/legacy-follow.ts';
import { measureBurnRates, type SloBurnRates } from '../slo/slo-burns.ts';
import { ledgerSeconds } from '../slo/slo-ledger.ts';
import type { TrafficSource } from '../slo/traffic-source.ts';
import { createAlertStore } from './alert-store.ts';
import type { ConversionPeriod } from './conversion-drop.ts';
import { type DatabaseConnections, readDatabaseConnections } from './database-connections.ts';
import type { AlertSnapshot, LastMonthChurn, LegacyFollowTiming } from './inputs.ts';
import type { Clock } from './types.ts';

export interface AlertInputGathererDeps {
  /** The primary database (DATABASE_URL): history, the follow state and the server's connections. */
  readonly db: Db;
  readonly engine: KpiEngine;
  /** The configured database type (DATABASE_TYPE); defaults to the open database's kind. */
  readonly databaseKind?: DatabaseKind;
  readonly health: Pick<HealthSource, 'latest'> | null;
  readonly clock: Clock;
  readonly kpiRefreshMs?: number;
  /** The outside look at the monitored app; absent or null when MONITORED_APP_URLS is unset. */
  readonly exposedFiles?: ExposedFilesProbe | null;
  /** The scaling checklist's statuses by item id (from the scaling service's report). */
  readonly checklist?: (() => Promise<ChecklistStatuses>) | null;
  /** Where the SLOs' counts come from (as GET /api/slo); absent or null: the burn-rate rules keep their state. */
  readonly traffic?: TrafficSource | null;
  /** The SLO catalog whose burn rates are measured; default the catalog of the default settings. */
  readonly slos?: readonly SloDefinition[];
  readonly log: (message: string) => void;
}

export interface AlertInputGatherer {
  gather(): Promise<AlertSnapshot>;
}

export const defaultKpiRefreshMs = 60_000;
/**
 * Closed months read for the business rules: the conversion rule needs its last mature month plus three
 * before it, and the last closed month is not mature until 30 days after it ends — so up to 5 months are
 * needed; 7 leaves room for a month with too few registrations to count.
 */
export const kpiMonthsRead = 7;

interface DatabaseInputs {
  readonly users: number;
  readonly lastMonthChurn: LastMonthChurn | null;
  readonly conversion: readonly ConversionPeriod[];
}

export function createAlertInputGatherer(deps: AlertInputGathererDeps): AlertInputGatherer {
  const store = createAlertStore(deps.db);
  const since = deps.clock.now();
  const refreshMs = deps.kpiRefreshMs ?? defaultKpiRefreshMs;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let lastSuccessAt: number | null = null;
  let latest: DatabaseInputs | null = null;
  let healthSuccessAt: number | null = null;
  let legacyFollowFailing = false;
  let checklist: ChecklistStatuses | null = null;
  let checklistAttemptAt = Number.NEGATIVE_INFINITY;
  let connectionsFailing = false;
  let burnRatesFailing = false;

  async function readChecklist(now: number): Promise<void> {
    if (!deps.checklist || now - checklistAttemptAt < refreshMs) return;
    checklistAttemptAt = now;
    try {
      checklist = await deps.checklist();
    } catch (error) {
      checklist = null;
      deps.log(
        `alerts: reading the scaling checklist failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
    }
  }

  /** How many sensitive files the app serves; null when it is not looked at or answered nothing. */
  async function readExposedFiles(): Promise<number | null> {
    if (!deps.exposedFiles) return null;
    try {
      const reading = await deps.exposedFiles.check();
      if (reading.exposed.length > 0) return reading.exposed.length;
      return reading.reachable.length > 0 ? 0 : null;
    } catch {
      return null;
    }
  }

  async function readDatabase(now: number): Promise<void> {
    if (now - lastAttemptAt < refreshMs) return;
    lastAttemptAt = now;
    try {
      const users = await store.countUsers();
      const monthStart = alignDown(new Date(now), 'month');
      const report = await deps.engine.reportParsed({
        from: nextBoundary(monthStart, 'month', -kpiMonthsRead),
        to: monthStart,
        interval: 'month',
        asOf: new Date(now),
      });
      // A stale report is the engine's last good answer served because the database is unreachable.
      if (report.stale) throw new Error('KPI report is stale: the database could not be read');
      latest = { users, ...businessInputs(report) };
      lastSuccessAt = now;
    } catch (error) {
      latest = null;
      deps.log(
        `alerts: reading KPI inputs failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
    }
  }

  /** null when the read fails (the rule keeps its state); logged once per run of failures. */
  async function readFollow(): Promise<LegacyFollowTiming[] | null> {
    try {
      const rows = await readLegacyFollow(deps.db);
      legacyFollowFailing = false;
      return rows.map((row) => ({
        lastSyncAt: row.lastSyncAt.getTime(),
        intervalSeconds: row.intervalSeconds,
      }));
    } catch (error) {
      if (!legacyFollowFailing) {
        deps.log(
          `alerts: reading the legacy follow state failed: ${error instanceof Error ? error.message : 'unknown error'}`,
        );
      }
      legacyFollowFailing = true;
      return null;
    }
  }

  /** null on PGlite, or when the read fails (the rules keep their state); logged once per run of failures. */
  async function readConnections(): Promise<DatabaseConnections | null> {
    try {
      const connections = await readDatabaseConnections(deps.db);
      connectionsFailing = false;
      return connections;
    } catch (error) {
      if (!connectionsFailing) {
        deps.log(
          `alerts: reading the database's connections failed: ${error instanceof Error ? error.message : 'unknown error'}`,
        );
      }
      connectionsFailing = true;
      return null;
    }
  }

  /** null without a traffic source, or when it fails (the burn rules keep their state); logged once per run. */
  async function readBurnRates(): Promise<SloBurnRates | null> {
    if (!deps.traffic) return null;
    try {
      const rates = await measureBurnRates(deps.slos ?? sloCatalog, deps.traffic);
      burnRatesFailing = false;
      return rates;
    } catch (error) {
      if (!burnRatesFailing) {
        deps.log(
          `alerts: counting the SLOs' burn rates (${deps.traffic.kind}) failed: ${error instanceof Error ? error.message : 'unknown error'}`,
        );
      }
      burnRatesFailing = true;
      return null;
    }
  }

  return {
    async gather() {
      const now = deps.clock.now();
      await readDatabase(now);
      const legacyFollow = await readFollow();
      const databaseConnections = await readConnections();
      const [sensitiveFilesServed, , sloBurnRates] = await Promise.all([
        readExposedFiles(),
        readChecklist(now),
        readBurnRates(),
      ]);
      const health = deps.health ? await deps.health.latest().catch(() => null) : null;
      healthSuccessAt = health?.lastSuccessAt ?? healthSuccessAt;
      return {
        health: health
          ? {
              total: health.total,
              instances: health.instances.filter((i) => i.up).flatMap((i) => i.points.slice(-1)),
            }
          : null,
        healthFreshness: deps.health ? { lastSuccessAt: healthSuccessAt, since } : null,
        users: latest?.users ?? null,
        databaseKind: deps.databaseKind ?? deps.db.kind,
        lastMonthChurn: latest?.lastMonthChurn ?? null,
        conversion: latest?.conversion ?? null,
        kpiFreshness: { lastSuccessAt, since },
        legacyFollow,
        sensitiveFilesServed,
        databaseConnections,
        checklist,
        sloBurnRates,
        sloCountedSeconds: deps.traffic?.coverageSeconds?.(ledgerSeconds) ?? null,
      };
    },
  };
}

function businessInputs(report: KpiReport): Omit<DatabaseInputs, 'users'> {
  const last = report.periods.at(-1);
  return {
    lastMonthChurn: last
      ? {
          periodStart: last.periodStart,
          pledgersAtStart: last.pledgersAtStart,
          churnedPledgers: last.churnedPledgers,
          logoChurnRate: last.logoChurnRate,
        }
      : null,
    conversion: report.periods.map((period) => ({
      periodStart: period.periodStart,
      cohort: period.conversionCohort,
      converted: period.conversionConverted,
      mature: period.conversionMature,
    })),
  };
}
