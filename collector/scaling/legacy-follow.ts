// What `pulse import-sqlite FILE --follow` keeps in legacy_follow (migration 0007), as GET /api/scaling and the
// alert evaluator read it: one row per followed file, its state (following, stale, failing) and how fresh the
// data is. The file is named by its base name only: the absolute path stays in the database, and is cut out
// of the last error too.
import { alertThresholds } from '../../core/alerts/thresholds.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Queryable } from '../../core/db/types.ts';
import type { LegacyFollowState, LegacyFollowView } from './scaling-types.ts';

/** More followed files than this is not a migration any more; the report stays bounded. */
export const legacyFollowLimit = 100;

export interface LegacyFollowRow {
  /** The followed file's absolute path: never sent out as it is (see legacyFollowView). */
  readonly source: string;
  readonly startedAt: Date;
  readonly intervalSeconds: number;
  readonly lastSyncAt: Date;
  readonly fileModifiedAt: Date;
  readonly syncs: number;
  readonly rowsImported: number;
  readonly rowsSkipped: number;
  readonly cancelsObserved: number;
  readonly lastError: string | null;
  readonly lastErrorAt: Date | null;
}

// COLLATE "C": the same order on PGlite and on a PostgreSQL whose default collation is a locale's.
const selectLegacyFollow = defineQuery<{ limit: number }, LegacyFollowRow>(
  'scaling.legacyFollow',
  `SELECT source, started_at AS "startedAt", interval_seconds AS "intervalSeconds",
          last_sync_at AS "lastSyncAt", file_modified_at AS "fileModifiedAt", syncs,
          rows_imported AS "rowsImported", rows_skipped AS "rowsSkipped",
          cancels_observed AS "cancelsObserved", last_error AS "lastError", last_error_at AS "lastErrorAt"
     FROM legacy_follow
    ORDER BY source COLLATE "C"
    LIMIT :limit`,
);

export function readLegacyFollow(db: Queryable): Promise<LegacyFollowRow[]> {
  return db.query(selectLegacyFollow, { limit: legacyFollowLimit });
}

/** Syncs missed before a follow counts as stale: the alert rules' number, so both say the same. */
export const staleIntervals = alertThresholds.legacyFollow.staleIntervals;

/** True when the last successful sync is older than `intervals` of the follower's own interval. */
export function isOverdue(
  follow: { readonly lastSyncAt: number; readonly intervalSeconds: number },
  now: number,
  intervals: number,
): boolean {
  return now - follow.lastSyncAt > intervals * follow.intervalSeconds * 1000;
}

/**
 * failing: the newest attempt failed (an error after the last successful sync); stale: no successful sync
 * for more than `intervals` intervals (the follower stopped or is stuck); else following.
 */
export function legacyFollowState(
  row: LegacyFollowRow,
  now: Date,
  intervals = staleIntervals,
): LegacyFollowState {
  if (row.lastErrorAt && row.lastErrorAt.getTime() > row.lastSyncAt.getTime()) return 'failing';
  const overdue = isOverdue(
    { lastSyncAt: row.lastSyncAt.getTime(), intervalSeconds: row.intervalSeconds },
    now.getTime(),
    intervals,
  );
  return overdue ? 'stale' : 'following';
}

/** The last part of a path, POSIX or Windows. */
export function fileNameOf(source: string): string {
  return (
    source
      .split(/[\\/]/)
      .filter((part) => part !== '')
      .at(-1) ?? ''
  );
}

/** The error as stored, with the followed file's path (and its directory) cut down to the file name. */
function withoutPath(message: string, source: string, file: string): string {
  const cut = message.replaceAll(source, file);
  const directory = source.slice(0, source.length - file.length);
  return directory.length > 1 ? cut.replaceAll(directory, '') : cut;
}

export function legacyFollowView(
  row: LegacyFollowRow,
  now: Date,
  intervals = staleIntervals,
): LegacyFollowView {
  const file = fileNameOf(row.source);
  return {
    file,
    state: legacyFollowState(row, now, intervals),
    intervalSeconds: row.intervalSeconds,
    startedAt: row.startedAt.toISOString(),
    lastSyncAt: row.lastSyncAt.toISOString(),
    fileModifiedAt: row.fileModifiedAt.toISOString(),
    // A follower whose clock runs ahead of the collector's would make it negative: 0 is "just now".
    freshnessSeconds: Math.max(0, Math.floor((now.getTime() - row.lastSyncAt.getTime()) / 1000)),
    syncs: row.syncs,
    rowsImported: row.rowsImported,
    rowsSkipped: row.rowsSkipped,
    cancelsObserved: row.cancelsObserved,
    lastError: row.lastError === null ? null : withoutPath(row.lastError, row.source, file),
    lastErrorAt: row.lastErrorAt?.toISOString() ?? null,
  };
}

/**
 * null when no file is followed (the table has no row), else one view per file, ordered by path; stale past
 * `intervals` missed syncs (the alert thresholds' legacyFollow.staleIntervals).
 */
export function legacyFollowViews(
  rows: readonly LegacyFollowRow[],
  now: Date,
  intervals = staleIntervals,
): LegacyFollowView[] | null {
  return rows.length === 0 ? null : rows.map((row) => legacyFollowView(row, now, intervals));
}
