// Reads mrr-movements.sql for a range, on PostgreSQL in slices of the users run at once. The query's cost
// is per user (a running sum over each user's events, in user order) and every figure it returns is a sum
// or a count over users, so N slices (consecutive ranges of user ids, the leading column of the indexes the
// query reads) on N connections that share the reading transaction's snapshot return rows that add up to
// the whole — the same figures, read at the same instant — while N server processes do the work, each
// reading only its part of the indexes. Each slice runs in one process (no parallel workers of its own), so
// slices beyond the server's cores only compete. The caller's other reads of the range (registrations,
// conversion) run at the same time on one more connection. Measured on the 1M-pledge dense set
// (PostgreSQL 15, 2 cores, 24 months): two halves at once 0.72–0.78 s each against 1.35 s for the whole
// query; the engine from scratch 0.82–0.88 s with the other reads alongside, 0.95 s after them.
// Ranges are equal widths of [smallest, largest] user id with a pledge: even for ids handed out in order.
// Without N + 2 spare pooled connections, on PGlite, or with one slice, the query runs whole in the
// transaction and the other reads after it.
import { defineQuery } from '../db/query.ts';
import type { Queryable } from '../db/types.ts';
import { kpiQueries, type MovementRow, type RangeParams, type UserRange, withoutJit } from './kpi-queries.ts';

/** Two: the cores of the machines measured on; more pays only on a server with more cores. */
export const defaultMovementSlices = 2;

/** Every user: the range the query runs with when it is not sliced. */
export const allUsers: UserRange = { usersFrom: '0', usersTo: '9223372036854775807' };

const pledgerIdSpan = defineQuery<Record<string, never>, { first: string | null; last: string | null }>(
  'kpi.pledgerIdSpan',
  'SELECT min(user_id)::text AS first, max(user_id)::text AS last FROM pledges',
);

/**
 * The movements of a range, and what `alongside` reads in the same snapshot: on a connection of its own,
 * at the same time as the slices, when they run sliced; after the whole query otherwise.
 */
export async function readMovements<T>(
  tx: Queryable,
  range: RangeParams,
  slices: number,
  alongside: (tx: Queryable) => Promise<T>,
): Promise<{ movements: MovementRow[]; alongside: T }> {
  // Events before the first bound fall in its bucket 0 (the running sums' opening): no rangeStart needed.
  const periods = { bounds: range.bounds, rangeEnd: range.rangeEnd };
  if (slices > 1 && tx.inSharedSnapshot) {
    const [span] = await tx.query(pledgerIdSpan, {});
    const ranges = span?.first && span.last ? userRanges(BigInt(span.first), BigInt(span.last), slices) : [];
    const sliceReads = ranges.map((users) => async (joined: Queryable) => {
      // Each slice in one server process: the slices are the parallelism, workers on top oversubscribe.
      await joined.runScript(
        'kpi.sliceSettings',
        `SET LOCAL max_parallel_workers_per_gather = 0; ${withoutJit}`,
      );
      return { rows: await joined.query(kpiQueries.mrrMovements, { ...periods, ...users }) };
    });
    const parts = await tx.inSharedSnapshot<{ rows: MovementRow[] } | { other: T }>([
      ...sliceReads,
      async (joined) => {
        await joined.runScript('kpi.withoutJit', withoutJit);
        return { other: await alongside(joined) };
      },
    ]);
    if (parts) {
      const other = parts.at(-1) as { other: T };
      const sliced = parts.slice(0, -1) as Array<{ rows: MovementRow[] }>;
      return { movements: addUpByPeriod(sliced.flatMap((part) => part.rows)), alongside: other.other };
    }
  }
  const movements = await tx.query(kpiQueries.mrrMovements, { ...periods, ...allUsers });
  return { movements, alongside: await alongside(tx) };
}

/** `count` consecutive ranges covering first…last (inclusive), as the query's half-open bounds. */
export function userRanges(first: bigint, last: bigint, count: number): UserRange[] {
  const width = (last - first + 1n + BigInt(count) - 1n) / BigInt(count);
  return Array.from({ length: count }, (_, i) => {
    const from = first + width * BigInt(i);
    return { usersFrom: String(from), usersTo: String(i === count - 1 ? last + 1n : from + width) };
  });
}

/** One row per period start: every field of the rows for that start added up. */
function addUpByPeriod(rows: readonly MovementRow[]): MovementRow[] {
  const byStart = new Map<number, MovementRow>();
  for (const row of rows) {
    const start = row.periodStart.getTime();
    const sum = byStart.get(start);
    if (!sum) {
      byStart.set(start, { ...row });
      continue;
    }
    for (const field of movementFields) sum[field] += row[field];
  }
  return [...byStart.values()];
}

const movementFields = [
  'newMrrCents',
  'newPledgers',
  'reactivationMrrCents',
  'reactivatedPledgers',
  'expansionMrrCents',
  'contractionMrrCents',
  'churnedMrrCents',
  'churnedPledgers',
  'estimatedChurnMovements',
] as const satisfies ReadonlyArray<Exclude<keyof MovementRow, 'periodStart'>>;
