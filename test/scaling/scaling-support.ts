// Helpers for the scaling-checklist suites: a service with a controllable clock and chosen inputs, cheap
// bulk users (generate_series), and reading one item out of a report.

import {
  createScalingService,
  type ScalingService,
  type ScalingServiceDeps,
} from '../../collector/scaling/scaling-service.ts';
import type { ScalingItemView, ScalingReport } from '../../collector/scaling/scaling-types.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';

export const postgresSettings = {
  kind: 'postgres',
  pool: { max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2_000 },
} as const;

/** A clock the test moves by hand. */
export function testClock(start: string) {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (iso: string) => {
      current = new Date(iso);
    },
  };
}

export function scalingServiceFor(db: Db, overrides: Partial<ScalingServiceDeps> = {}): ScalingService {
  return createScalingService({
    db,
    database: postgresSettings,
    redisConfigured: false,
    now: () => new Date('2026-06-01T00:00:00Z'),
    ...overrides,
  });
}

export function itemOf(report: ScalingReport, id: string): ScalingItemView {
  const item = [...report.phases.flatMap((phase) => phase.items), ...report.security.items].find(
    (candidate) => candidate.id === id,
  );
  if (!item) throw new Error(`no item ${id} in the report`);
  return item;
}

const insertUsers = defineQuery<{ first: number; count: number; createdAt: Date }, never>(
  'test.insertUsers',
  `INSERT INTO users (email, password_hash, created_at)
   SELECT 'phase-' || n || '@users.pledgr.test', 'not-a-hash', :createdAt
     FROM generate_series(:first::bigint, :first::bigint + :count::bigint - 1) AS n`,
);

/** Adds `count` users numbered from `first` (emails must stay unique across calls). */
export async function addUsers(db: Db, first: number, count: number): Promise<void> {
  await db.query(insertUsers, { first, count, createdAt: new Date('2026-01-15T00:00:00Z') });
}

const insertUser = defineQuery<{ email: string; createdAt: Date }, never>(
  'test.insertUser',
  `INSERT INTO users (email, password_hash, created_at) VALUES (:email, 'not-a-hash', :createdAt)`,
);

export async function addUser(db: Db, email: string, createdAt: string): Promise<void> {
  await db.query(insertUser, { email, createdAt: new Date(createdAt) });
}

const countRecords = defineQuery<Record<string, never>, { records: number }>(
  'test.countScalingRecords',
  'SELECT count(*) AS records FROM scaling_records',
);

export async function scalingRecordCount(db: Db): Promise<number> {
  return (await db.query(countRecords, {}))[0]?.records ?? -1;
}

export interface LegacyFollowFixture {
  readonly source: string;
  readonly intervalSeconds: number;
  readonly lastSyncAt: string;
  readonly startedAt?: string;
  readonly fileModifiedAt?: string;
  readonly syncs?: number;
  readonly rowsImported?: number;
  readonly rowsSkipped?: number;
  readonly cancelsObserved?: number;
  readonly lastError?: string | null;
  readonly lastErrorAt?: string | null;
}

const insertLegacyFollow = defineQuery<
  {
    source: string;
    startedAt: Date;
    intervalSeconds: number;
    lastSyncAt: Date;
    fileModifiedAt: Date;
    syncs: number;
    rowsImported: number;
    rowsSkipped: number;
    cancelsObserved: number;
    lastError: string | null;
    lastErrorAt: Date | null;
  },
  never
>(
  'test.insertLegacyFollow',
  `INSERT INTO legacy_follow (source, started_at, interval_seconds, last_read_at, last_sync_at, file_modified_at,
                              syncs, rows_imported, rows_skipped, cancels_observed, last_error, last_error_at)
   VALUES (:source, :startedAt, :intervalSeconds, :lastSyncAt, :lastSyncAt, :fileModifiedAt,
           :syncs, :rowsImported, :rowsSkipped, :cancelsObserved, :lastError, :lastErrorAt)`,
);

/** A legacy_follow row as `pulse import-sqlite FILE --follow` leaves it (migration 0007), written directly. */
export async function addLegacyFollow(db: Db, row: LegacyFollowFixture): Promise<void> {
  const lastSyncAt = new Date(row.lastSyncAt);
  await db.query(insertLegacyFollow, {
    source: row.source,
    startedAt: new Date(row.startedAt ?? '2026-05-01T00:00:00Z'),
    intervalSeconds: row.intervalSeconds,
    lastSyncAt,
    fileModifiedAt: new Date(row.fileModifiedAt ?? lastSyncAt),
    syncs: row.syncs ?? 1,
    rowsImported: row.rowsImported ?? 0,
    rowsSkipped: row.rowsSkipped ?? 0,
    cancelsObserved: row.cancelsObserved ?? 0,
    lastError: row.lastError ?? null,
    lastErrorAt: row.lastErrorAt ? new Date(row.lastErrorAt) : null,
  });
}

const deleteLegacyFollow = defineQuery<Record<string, never>, never>(
  'test.deleteLegacyFollow',
  'DELETE FROM legacy_follow',
);

export async function clearLegacyFollow(db: Db): Promise<void> {
  await db.query(deleteLegacyFollow, {});
}
