// Registration cohorts (queries/kpi/cohorts.sql): for each month's new users, the share still pledging
// and the MRR retained at the end of every complete month since, with the cohort size as sample.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineQuery } from '../db/query.ts';
import type { Db } from '../db/types.ts';
import { queriesDir } from '../queries-dir.ts';
import { ratio } from './assemble.ts';
import type { ParsedRange } from './kpi-request.ts';
import { alignDown, listPeriods, nextBoundary } from './periods.ts';

export interface CohortMonth {
  readonly monthsSince: number;
  readonly monthEnd: string;
  readonly pledgers: number;
  readonly pledgingShare: number | null;
  readonly mrrCents: number;
  /** MRR now ÷ MRR at the end of the cohort's own month; null when that was 0. */
  readonly mrrRetained: number | null;
}

export interface Cohort {
  readonly cohort: string;
  /** Users who registered in the cohort month: the sample every share rests on. */
  readonly size: number;
  readonly months: readonly CohortMonth[];
}

export interface CohortReport {
  readonly from: string;
  readonly to: string;
  readonly asOf: string;
  readonly currency: string;
  readonly sampleSize: number;
  readonly cohorts: readonly Cohort[];
}

interface CohortRow {
  cohort: Date;
  monthEnd: Date | null;
  users: number;
  pledgers: number;
  mrrCents: number;
}

const cohortsQuery = defineQuery<{ rangeStart: Date; rangeEnd: Date; monthEnds: string[] }, CohortRow>(
  'kpi.cohorts',
  readFileSync(join(queriesDir, 'kpi', 'cohorts.sql'), 'utf8'),
);

/**
 * The rows of cohorts.sql, ordered by cohort and month end. On the embedded database one statement per
 * cohort month: PGlite runs one statement at a time, and the whole range in one (40–230 ms on the demo's
 * 2,000 users, measured) held every pledge API query waiting behind it; a month at a time, the API's queries
 * pass between them. Each cohort's rows still come from one statement (one instant); cohorts read a few
 * milliseconds apart can only differ by a write to a month end already past, a backfill. On PostgreSQL the
 * range is one statement in one snapshot.
 */
async function readCohorts(
  db: Db,
  rangeStart: Date,
  rangeEnd: Date,
  monthEnds: string[],
): Promise<CohortRow[]> {
  if (db.kind !== 'embedded') return db.query(cohortsQuery, { rangeStart, rangeEnd, monthEnds });
  const rows: CohortRow[] = [];
  for (let month = rangeStart; month < rangeEnd; month = nextBoundary(month, 'month')) {
    const monthEnd = nextBoundary(month, 'month');
    const end = monthEnd < rangeEnd ? monthEnd : rangeEnd;
    rows.push(...(await db.query(cohortsQuery, { rangeStart: month, rangeEnd: end, monthEnds })));
  }
  return rows;
}

/** At most this many cohort months per request (each is joined with every month end after it). */
export const maxCohortMonths = 36;

export async function cohortReport(db: Db, range: ParsedRange, currency: string): Promise<CohortReport> {
  const rangeStart = alignDown(range.from, 'month');
  const lastCompleteEnd = alignDown(range.asOf, 'month');
  const monthEnds = listPeriods(
    nextBoundary(rangeStart, 'month'),
    nextBoundary(lastCompleteEnd, 'month'),
    'month',
  )
    .map((period) => period.start)
    .filter((end) => end <= lastCompleteEnd)
    .map((end) => end.toISOString());
  const rows = await readCohorts(db, rangeStart, range.to, monthEnds);
  const cohorts = new Map<number, { size: number; rows: CohortRow[] }>();
  for (const row of rows) {
    const entry = cohorts.get(row.cohort.getTime()) ?? { size: row.users, rows: [] };
    if (row.monthEnd) entry.rows.push(row);
    cohorts.set(row.cohort.getTime(), entry);
  }
  const result = [...cohorts.entries()].map(([start, { size, rows: months }]): Cohort => {
    const firstMrr = months[0]?.mrrCents ?? 0;
    return {
      cohort: new Date(start).toISOString(),
      size,
      months: months.map((month, monthsSince) => ({
        monthsSince,
        monthEnd: (month.monthEnd as Date).toISOString(),
        pledgers: month.pledgers,
        pledgingShare: ratio(month.pledgers, size),
        mrrCents: month.mrrCents,
        mrrRetained: ratio(month.mrrCents, firstMrr),
      })),
    };
  });
  return {
    from: rangeStart.toISOString(),
    to: range.to.toISOString(),
    asOf: range.asOf.toISOString(),
    currency,
    sampleSize: result.reduce((total, cohort) => total + cohort.size, 0),
    cohorts: result,
  };
}
