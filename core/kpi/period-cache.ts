// Cache of computed KPI periods, kept correct through the kpi_changes log that triggers fill on every write
// (queries/migrations/0002_kpi_change_log.sql). Each sync reads the log entries that may be new since the
// last one and drops every cached period ending after the earliest changed instant — so a backfilled or
// imported row in a closed period invalidates it, and everything after it.
//
// "New since" is tracked by transaction id, not by insertion order: a writer that took its log row early
// may commit late. pg_snapshot_xmin marks the oldest transaction still in flight when our snapshot was
// taken; entries from it onwards are read again next time (harmless: they only invalidate).
//
// The cache is bounded: at most `maxPeriods` periods, the least recently used dropped first. Any request
// may name new periods (up to 1,100 at a time, 1970–9998), so without a bound a stream of different ranges
// grows the heap for good (350 different 3-year daily requests: 383,257 periods, heap +183 MiB). A dropped
// period is simply computed again when asked for.
import { defineQuery } from '../db/query.ts';
import type { Queryable } from '../db/types.ts';
import type { PeriodFacts } from './assemble.ts';
import type { KpiInterval } from './types.ts';

/** The log is pruned after a day; a cache that has not synced for half of that cannot trust its gaps. */
const maxSyncGapMs = 12 * 3_600_000;

const snapshotXmin = defineQuery<Record<string, never>, { xmin: string }>(
  'kpi.snapshotXmin',
  'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
);
/** How many changed users a sync names at most; beyond it they are "unknown" (periods recomputed whole). */
export const maxNamedUsers = 5_000;

const changesSince = defineQuery<
  { since: string; usersFrom: Date },
  {
    changedFrom: Date | null;
    users: number[] | null;
    unnamed: boolean | null;
    usersWritten: boolean | null;
    xmin: string;
  }
>(
  'kpi.changesSince',
  // user_ids: the pledge rows' users, NULL over 1,000 of them, '{}' for a write to users (migration 0009).
  `WITH recent AS (SELECT changed_from, user_ids FROM kpi_changes WHERE xid >= :since::xid8)
   SELECT (SELECT min(changed_from) FROM recent) AS "changedFrom",
          (SELECT array_agg(DISTINCT u.id ORDER BY u.id)
             FROM recent c CROSS JOIN LATERAL unnest(c.user_ids) AS u(id)
            WHERE c.changed_from >= :usersFrom) AS users,
          (SELECT bool_or(user_ids IS NULL) FROM recent WHERE changed_from >= :usersFrom) AS unnamed,
          (SELECT bool_or(cardinality(user_ids) = 0) FROM recent WHERE changed_from >= :usersFrom)
            AS "usersWritten",
          pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
);

/**
 * What the writes since the last sync touched: the earliest instant (null: nothing), and the users of the
 * pledge rows written at or after `usersFrom` (null when unknown: a first sync, a bulk write, too many).
 */
export interface ChangeSummary {
  readonly changedFrom: Date | null;
  readonly users: readonly number[] | null;
  /** Rows of the users table were written at or after `usersFrom` (registrations, conversion cohorts). */
  readonly usersWritten: boolean;
}

const farFuture = new Date('9999-01-01T00:00:00Z');

/** About 0.3 KB of heap each (measured): 20,000 periods ≈ 5 MB, room for 18 full 1,100-period requests. */
export const defaultCachePeriods = 20_000;

interface Entry {
  readonly facts: PeriodFacts;
  readonly endMs: number;
}

export class PeriodCache {
  /** Keyed by interval and start; a Map iterates in insertion order, so the first key is the least recent. */
  readonly #entries = new Map<string, Entry>();
  #xmin: string | null = null;
  #syncedAt = 0;

  constructor(readonly maxPeriods: number = defaultCachePeriods) {
    if (!(Number.isInteger(maxPeriods) && maxPeriods >= 1)) {
      throw new RangeError(`maxPeriods must be a whole number of at least 1, not ${maxPeriods}`);
    }
  }

  get(interval: KpiInterval, start: Date): PeriodFacts | undefined {
    const key = keyOf(interval, start.getTime());
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.facts;
  }

  set(interval: KpiInterval, facts: PeriodFacts): void {
    const key = keyOf(interval, Date.parse(facts.periodStart));
    this.#entries.delete(key);
    this.#entries.set(key, { facts, endMs: Date.parse(facts.periodEnd) });
    if (this.#entries.size > this.maxPeriods) this.#evict();
  }

  /**
   * Drops the least recent tenth in one pass. A Map keeps deleted slots until it rehashes, and an iterator
   * walks past them: finding the oldest key afresh for every eviction took up to 23 ms per 1,095 periods.
   */
  #evict(): void {
    let excess = this.#entries.size - Math.max(1, Math.floor(this.maxPeriods * 0.9));
    for (const key of this.#entries.keys()) {
      if (excess-- <= 0) break;
      this.#entries.delete(key);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  /**
   * Must run inside the transaction whose snapshot the next computation reads. Returns what changed, naming
   * the users of writes at or after `usersFrom` (the open periods kept per user: core/kpi/open-period.ts).
   */
  async sync(tx: Queryable, now: number, usersFrom: Date = farFuture): Promise<ChangeSummary> {
    const gapTooLong = now - this.#syncedAt > maxSyncGapMs;
    this.#syncedAt = now;
    if (this.#xmin === null || gapTooLong) {
      this.clear();
      const [row] = await tx.query(snapshotXmin, {});
      this.#xmin = row?.xmin ?? null;
      return { changedFrom: new Date(0), users: null, usersWritten: true };
    }
    const [row] = await tx.query(changesSince, { since: this.#xmin, usersFrom });
    if (row?.changedFrom) this.invalidateFrom(row.changedFrom);
    this.#xmin = row?.xmin ?? null;
    // int8[] arrives as strings from node-postgres (numbers from PGlite): ids are compared as numbers.
    const named = (row?.users ?? []).map(Number);
    const users = row?.unnamed || named.length > maxNamedUsers ? null : named;
    return { changedFrom: row?.changedFrom ?? null, users, usersWritten: row?.usersWritten === true };
  }

  /** Drops every period whose values can depend on `instant`: those ending after it. */
  invalidateFrom(instant: Date): void {
    const at = instant.getTime();
    for (const [key, entry] of this.#entries) {
      if (entry.endMs > at) this.#entries.delete(key);
    }
  }
}

function keyOf(interval: KpiInterval, startMs: number): string {
  return `${interval}|${startMs}`;
}
