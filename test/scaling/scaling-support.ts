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
  const item = report.phases.flatMap((phase) => phase.items).find((candidate) => candidate.id === id);
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
