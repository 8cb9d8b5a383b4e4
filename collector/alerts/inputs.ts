// What the alert evaluator reads: a snapshot of the collector's inputs at one instant, and the values of
// every rule input derived from it. A value that cannot be known is null — the rule reading it then keeps
// its state (see state-machine.ts).
import type { AlertInput } from '../../core/alerts/rules.ts';
import type { ChecklistStatuses } from '../../core/alerts/scaling-phases.ts';
import type { AlertThresholds } from '../../core/alerts/thresholds.ts';
import type { DatabaseKind } from '../../core/db/types.ts';
import type { HealthPoint } from '../health/types.ts';
import { isOverdue } from '../scaling/legacy-follow.ts';
import type { SloBurnRates } from '../slo/slo-burns.ts';
import { burnInputValues } from './burn-inputs.ts';
import { type ConversionPeriod, conversionDrop } from './conversion-drop.ts';
import { connectionsUsedShare, type DatabaseConnections } from './database-connections.ts';

/** When a source last answered; `since` (when watching began) stands in before its first success. */
export interface Freshness {
  readonly lastSuccessAt: number | null;
  readonly since: number;
}

export interface LastMonthChurn {
  readonly periodStart: string;
  readonly pledgersAtStart: number;
  readonly churnedPledgers: number;
  readonly logoChurnRate: number | null;
}

export interface AlertSnapshot {
  /** The newest total point, and the newest point of each instance that is up; null before any scrape. */
  readonly health: { readonly total: HealthPoint; readonly instances: readonly HealthPoint[] } | null;
  /** null when the collector has no health source at all (then health rules never change state). */
  readonly healthFreshness: Freshness | null;
  readonly users: number | null;
  readonly databaseKind: DatabaseKind;
  /** The last complete month; null while unknown (KPIs not read yet, or the read failed). */
  readonly lastMonthChurn: LastMonthChurn | null;
  /** Monthly conversion, oldest first, closed months only; null while unknown. */
  readonly conversion: readonly ConversionPeriod[] | null;
  readonly kpiFreshness: Freshness | null;
  /**
   * Each file `pulse import-sqlite --follow` follows (legacy_follow): its last successful sync (epoch ms) and
   * its interval. Empty when none is followed; null while unknown (the read failed).
   */
  readonly legacyFollow: readonly LegacyFollowTiming[] | null;
  /**
   * Sensitive files the monitored app serves (the outside look, MONITORED_APP_URLS); null when it is not
   * looked at, or did not answer.
   */
  readonly sensitiveFilesServed: number | null;
  /**
   * The database server's client connections and the limit for ordinary roles (database-connections.ts);
   * null on the embedded database, or when the read failed.
   */
  readonly databaseConnections: DatabaseConnections | null;
  /** The scaling checklist's item statuses (GET /api/scaling), for the milestone alerts' text; null while unknown. */
  readonly checklist: ChecklistStatuses | null;
  /**
   * Each SLO's burn rate per burn window (as GET /api/slo counts them); null when the collector has no
   * traffic source, or its read failed.
   */
  readonly sloBurnRates: SloBurnRates | null;
  /**
   * How long the collector has been counting the SLO traffic itself (scrape mode, capped at the longest burn
   * window); null when it does not say (Prometheus, whose series may be older than this process).
   */
  readonly sloCountedSeconds?: number | null;
}

export interface LegacyFollowTiming {
  readonly lastSyncAt: number;
  readonly intervalSeconds: number;
}

export type AlertInputValues = Readonly<Record<AlertInput, number | null>>;

export function readAlertInputs(
  snapshot: AlertSnapshot,
  now: number,
  thresholds: AlertThresholds,
): AlertInputValues {
  const healthAge = ageSeconds(snapshot.healthFreshness, now);
  const healthStaleAfter =
    thresholds.staleness.healthIntervalSeconds * thresholds.staleness.healthStaleIntervals;
  // A stale point describes the past: judging today's latency on it would fire or resolve on old news.
  const fresh = healthAge !== null && healthAge <= healthStaleAfter ? snapshot.health : null;
  const total = fresh?.total ?? null;
  const drop = snapshot.conversion
    ? conversionDrop(snapshot.conversion, thresholds.business.conversionTrailingPeriods)
    : null;
  return {
    users: snapshot.users,
    embeddedDatabase: snapshot.databaseKind === 'embedded' ? 1 : 0,
    poolPending: total?.poolPending ?? null,
    poolUsedShare: total && total.poolUsed !== null && total.poolMax ? total.poolUsed / total.poolMax : null,
    requestsPerSecond: total?.requestsPerSecond ?? null,
    latencyP95: total?.latencyP95 ?? null,
    errorRatio: total?.errorRatio ?? null,
    eventLoopP99: worstInstance(fresh, 'eventLoopP99'),
    heapUsedBytes: worstInstance(fresh, 'heapUsedBytes'),
    rssBytes: worstInstance(fresh, 'rssBytes'),
    rateLimitRejectionsPerSecond: total?.rateLimitRejectionsPerSecond ?? null,
    healthAgeSeconds: healthAge,
    kpiAgeSeconds: ageSeconds(snapshot.kpiFreshness, now),
    legacyFollowStaleFiles:
      snapshot.legacyFollow?.filter((follow) =>
        isOverdue(follow, now, thresholds.legacyFollow.staleIntervals),
      ).length ?? null,
    logoChurnLastMonth: snapshot.lastMonthChurn?.logoChurnRate ?? null,
    pledgersAtStartLastMonth: snapshot.lastMonthChurn?.pledgersAtStart ?? null,
    conversionRelativeDrop: drop?.relativeDrop ?? null,
    conversionCohortLastMature: drop?.cohort ?? null,
    sensitiveFilesServed: snapshot.sensitiveFilesServed,
    databaseConnectionsUsedShare: connectionsUsedShare(snapshot.databaseConnections),
    ...burnInputValues(snapshot.sloBurnRates, snapshot.sloCountedSeconds ?? null),
  };
}

function ageSeconds(freshness: Freshness | null, now: number): number | null {
  if (!freshness) return null;
  return Math.max(0, now - (freshness.lastSuccessAt ?? freshness.since)) / 1000;
}

/**
 * Memory and event-loop delay are per process: a total summed over instances would cross a per-process
 * threshold with enough healthy instances. The worst instance is judged; the total when none is listed.
 */
function worstInstance(
  health: AlertSnapshot['health'],
  field: 'eventLoopP99' | 'heapUsedBytes' | 'rssBytes',
): number | null {
  if (!health) return null;
  const values = health.instances.map((point) => point[field]).filter((value) => value !== null);
  return values.length > 0 ? Math.max(...values) : health.total[field];
}
