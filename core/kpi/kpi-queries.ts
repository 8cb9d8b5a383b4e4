// The index of the KPI SQL files under queries/kpi/: each file loaded once and compiled into a named,
// typed query. The files are data; their header comments hold the definitions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineQuery, type Query } from '../db/query.ts';
import { queriesDir } from '../queries-dir.ts';

/** The text of one file under queries/kpi/. */
export function readQueryFile(file: string): string {
  return readFileSync(join(queriesDir, 'kpi', file), 'utf8');
}

function kpiQuery<P extends Record<string, Date | string | number | readonly Date[]>, R>(
  name: string,
  file: string,
): Query<P, R> {
  return defineQuery<P, R>(`kpi.${name}`, readQueryFile(file));
}

/**
 * For every transaction that reads KPIs: no JIT compilation. PostgreSQL compiles a query's expressions once
 * the planner costs it high, and the KPI reads (index probes, running sums) lose more than it saves —
 * measured on 1M dense pledges (PostgreSQL 15, 2 cores): conversion.sql 330 → 250 ms, the engine from
 * scratch 0.88–0.97 → 0.83–0.85 s. A no-op where there is no JIT (PGlite).
 */
export const withoutJit = 'SET LOCAL jit = off';

/** A run of consecutive periods: every start (ascending; the SQL finds an instant's period in them), and the end. */
export interface RangeParams extends Record<string, Date | readonly Date[]> {
  readonly bounds: readonly Date[];
  readonly rangeStart: Date;
  readonly rangeEnd: Date;
}

/** A half-open range of user ids, as decimal text (ids are bigint). */
export interface UserRange {
  readonly usersFrom: string;
  readonly usersTo: string;
}

/** mrr-movements.sql's: the periods (no rangeStart: events before the first bound are its opening). */
export interface MovementParams extends UserRange, Record<string, string | Date | readonly Date[]> {
  readonly bounds: readonly Date[];
  readonly rangeEnd: Date;
}

export interface MovementRow {
  periodStart: Date;
  newMrrCents: number;
  newPledgers: number;
  reactivationMrrCents: number;
  reactivatedPledgers: number;
  expansionMrrCents: number;
  contractionMrrCents: number;
  churnedMrrCents: number;
  churnedPledgers: number;
  /** Churned or contracted users whose movement rests on an estimated ('estimated_import') cancel instant. */
  estimatedChurnMovements: number;
}

export const kpiQueries = {
  registrations: kpiQuery<RangeParams, { periodStart: Date; registrations: number }>(
    'registrations',
    'registrations.sql',
  ),
  usersBefore: kpiQuery<{ at: Date }, { users: number }>('usersBefore', 'users-before.sql'),
  conversion: kpiQuery<RangeParams, { periodStart: Date; cohort: number; converted: number }>(
    'conversion',
    'conversion.sql',
  ),
  mrrSnapshot: kpiQuery<{ at: Date }, { mrrCents: number; pledgers: number }>(
    'mrrSnapshot',
    'mrr-snapshot.sql',
  ),
  /** The users with usersFrom <= user_id < usersTo (sliced-movements.ts `allUsers`: all of them). */
  mrrMovements: kpiQuery<MovementParams, MovementRow>('mrrMovements', 'mrr-movements.sql'),
} as const;
