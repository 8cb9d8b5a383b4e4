// Reads mrr-movements.sql for a range, on PostgreSQL in ranges of the users on several connections at
// once. The query's cost is per user (a running sum over each user's events, in user order) and every figure
// it returns is a sum or a count over users, so ranges of user ids (the leading column of the indexes the
// query reads) on connections that share the reading transaction's snapshot return rows that add up to the
// whole — the same figures, read at the same instant — while as many server processes do the work, each
// reading only its part of the indexes. The N connections take the work from one queue: first the caller's
// other reads of the range (registrations, conversion), then 8 × N ranges of the users, each connection the
// next one when it is done, so a connection slowed by anything else on the server (or a range denser than
// the others) does less instead of holding the rest up, and the last range to finish is short. Each
// connection is one server process (no parallel workers of its own), so connections beyond the server's
// cores only compete. Measured (PostgreSQL 15, 2 cores, 24 months, dense data): on 1M pledges the engine
// from scratch takes as long as the whole query alone and the other reads need in CPU, spread over both
// cores (0.99–1.05 s on a quiet machine with 4 ranges per connection; 4 or 8: no difference); on 10M,
// alternating in pairs on a loaded machine, one range per connection (two halves) 18.4 and 20.6 s against
// 15.1 and 15.2 s with 4 ranges, then in a second run 4 ranges 17.6 and 18.2 s against 15.4 and 16.0 s with
// 8: the more ranges, the shorter the tail one connection runs alone.
// Ranges are equal widths of [smallest, largest] user id with a pledge: even for ids handed out in order.
// Without N + 1 spare pooled connections, on PGlite, or with N = 1, the query runs whole in the
// transaction and the other reads after it.
import { defineQuery } from '../db/query.ts';
import type { Queryable } from '../db/types.ts';
import { kpiQueries, type MovementRow, type RangeParams, type UserRange, withoutJit } from './kpi-queries.ts';

/** Two: the cores of the machines measured on; more pays only on a server with more cores. */
export const defaultMovementSlices = 2;

/**
 * Ranges of the users per connection: each connection takes the next range when it is done with one, so
 * a connection slowed by anything else on the server does fewer of them instead of holding the others up.
 */
export const rangesPerConnection = 8;

/** Every user: the range the query runs with when it is not sliced. */
export const allUsers: UserRange = { usersFrom: '0', usersTo: '9223372036854775807' };

const pledgerIdSpan = defineQuery<Record<string, never>, { first: string | null; last: string | null }>(
  'kpi.pledgerIdSpan',
  'SELECT min(user_id)::text AS first, max(user_id)::text AS last FROM pledges',
);

/**
 * The movements of a range, and what `alongside` reads in the same snapshot: with `connections` > 1, on
 * that many connections sharing the snapshot, which take `alongside` and then the user ranges from one
 * queue; whole and then `alongside` in the transaction otherwise.
 */
export async function readMovements<T>(
  tx: Queryable,
  range: RangeParams,
  connections: number,
  alongside: (tx: Queryable) => Promise<T>,
): Promise<{ movements: MovementRow[]; alongside: T }> {
  // Events before the first bound fall in its bucket 0 (the running sums' opening): no rangeStart needed.
  const periods = { bounds: range.bounds, rangeEnd: range.rangeEnd };
  if (connections > 1 && tx.inSharedSnapshot) {
    const [span] = await tx.query(pledgerIdSpan, {});
    const ranges =
      span?.first && span.last
        ? userRanges(BigInt(span.first), BigInt(span.last), connections * rangesPerConnection)
        : [];
    const movements: MovementRow[] = [];
    let other: { value: T } | undefined;
    // The other reads first: the ranges, smaller, then fill in around them.
    const queue: Array<(joined: Queryable) => Promise<void>> = [
      async (joined) => {
        other = { value: await alongside(joined) };
      },
      ...ranges.map((users) => async (joined: Queryable) => {
        movements.push(...(await joined.query(kpiQueries.mrrMovements, { ...periods, ...users })));
      }),
    ];
    const worker = async (joined: Queryable) => {
      // Each connection in one server process: the connections are the parallelism, workers on top
      // oversubscribe the cores.
      await joined.runScript(
        'kpi.sliceSettings',
        `SET LOCAL max_parallel_workers_per_gather = 0; ${withoutJit}`,
      );
      try {
        for (let next = queue.shift(); next; next = queue.shift()) await next(joined);
      } catch (error) {
        // The read fails as a whole, once the other connections have finished their current range.
        queue.length = 0;
        throw error;
      }
    };
    const joined = await tx.inSharedSnapshot(Array.from({ length: connections }, () => worker));
    if (joined && other) return { movements: addUpByPeriod(movements), alongside: other.value };
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
