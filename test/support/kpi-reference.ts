// The independent test oracle for the KPI engine: every DESIGN.md "KPI definitions" figure computed
// naively in TypeScript straight from the raw rows — its own period alignment, and for every period and
// every user the MRR at start and at end found by scanning that user's pledges. Written without looking at
// the engine or its SQL, so that the two agree only when both follow the definitions. Also the one field
// added beside DESIGN.md's: how many churn or contraction movements rest on an estimated cancel instant.
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import type { KpiInterval, KpiPeriod, KpiRequest } from '../../core/kpi/types.ts';

export interface ReferenceUser {
  readonly id: number;
  readonly createdAt: Date;
}

/** pledges.cancelled_at_source (migration 0006): how the cancel instant is known; null while active. */
export type CancelSource = 'recorded' | 'estimated_import' | 'observed_follow';

export interface ReferencePledge {
  readonly id: number;
  readonly userId: number;
  readonly artistId: number;
  readonly amountCents: number;
  readonly createdAt: Date;
  readonly cancelledAt: Date | null;
  readonly cancelledAtSource: CancelSource | null;
}

export interface ReferenceData {
  readonly users: readonly ReferenceUser[];
  readonly pledges: readonly ReferencePledge[];
}

export type ReferenceRequest = KpiRequest & { readonly asOf: Date };

const dayMs = 24 * 60 * 60 * 1000;
/** The conversion window: 30 days of 24 hours (all times are UTC, so no day is ever 23 or 25 hours). */
const conversionWindowMs = 30 * dayMs;

const selectUsers = defineQuery<Record<string, never>, { id: number; created_at: Date }>(
  'test.referenceUsers',
  'SELECT id, created_at FROM users ORDER BY id',
);
const selectPledges = defineQuery<
  Record<string, never>,
  {
    id: number;
    user_id: number;
    artist_id: number;
    amount_cents: number;
    created_at: Date;
    cancelled_at: Date | null;
    cancelled_at_source: CancelSource | null;
  }
>(
  'test.referencePledges',
  'SELECT id, user_id, artist_id, amount_cents, created_at, cancelled_at, cancelled_at_source FROM pledges ORDER BY id',
);

/** Reads the raw users and pledges that the reference computes from. */
export async function loadReferenceData(db: Db): Promise<ReferenceData> {
  const users = await db.query(selectUsers, {});
  const pledges = await db.query(selectPledges, {});
  return {
    users: users.map((row) => ({ id: row.id, createdAt: row.created_at })),
    pledges: pledges.map((row) => ({
      id: row.id,
      userId: row.user_id,
      artistId: row.artist_id,
      amountCents: row.amount_cents,
      createdAt: row.created_at,
      cancelledAt: row.cancelled_at,
      cancelledAtSource: row.cancelled_at_source,
    })),
  };
}

/** 'YYYY-MM-DD' → that day's 00:00:00.000 UTC (strict: anything else is a mistake in a test). */
export function parseUtcDay(day: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new Error(`"${day}" is not YYYY-MM-DD`);
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const result = new Date(Date.UTC(year, month - 1, date));
  if (
    result.getUTCFullYear() !== year ||
    result.getUTCMonth() !== month - 1 ||
    result.getUTCDate() !== date
  ) {
    throw new Error(`"${day}" is not a calendar day`);
  }
  return result;
}

/** The start of the period that contains `instant`: the day, the ISO week (Monday), or the month. */
export function alignDown(instant: Date, interval: KpiInterval): Date {
  const year = instant.getUTCFullYear();
  const month = instant.getUTCMonth();
  const date = instant.getUTCDate();
  switch (interval) {
    case 'day':
      return new Date(Date.UTC(year, month, date));
    case 'week': {
      // getUTCDay: Sunday 0, Monday 1 … Saturday 6; days since the last Monday: Monday 0 … Sunday 6.
      const daysSinceMonday = (instant.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(year, month, date - daysSinceMonday));
    }
    case 'month':
      return new Date(Date.UTC(year, month, 1));
  }
}

/** The start of the period after the one starting at `start` (Date.UTC carries overflowing days/months). */
export function nextPeriodStart(start: Date, interval: KpiInterval): Date {
  const year = start.getUTCFullYear();
  const month = start.getUTCMonth();
  const date = start.getUTCDate();
  switch (interval) {
    case 'day':
      return new Date(Date.UTC(year, month, date + 1));
    case 'week':
      return new Date(Date.UTC(year, month, date + 7));
    case 'month':
      return new Date(Date.UTC(year, month + 1, 1));
  }
}

/** Every whole period whose start s satisfies alignDown(from) <= s < to, oldest first. */
export function referencePeriodBounds(request: KpiRequest): { start: Date; end: Date }[] {
  const to = parseUtcDay(request.to);
  const bounds: { start: Date; end: Date }[] = [];
  for (
    let start = alignDown(parseUtcDay(request.from), request.interval);
    start < to;
    start = nextPeriodStart(start, request.interval)
  ) {
    bounds.push({ start, end: nextPeriodStart(start, request.interval) });
  }
  return bounds;
}

/** DESIGN.md: active at t when created_at < t and (cancelled_at IS NULL or cancelled_at >= t). */
function isActiveAt(pledge: ReferencePledge, t: number): boolean {
  return pledge.createdAt.getTime() < t && (pledge.cancelledAt === null || pledge.cancelledAt.getTime() >= t);
}

/** A user's MRR at t: the sum of the amounts of the user's pledges active at t. */
function userMrrAt(pledges: readonly ReferencePledge[], t: number): number {
  let mrr = 0;
  for (const pledge of pledges) if (isActiveAt(pledge, t)) mrr += pledge.amountCents;
  return mrr;
}

/** A rate whose denominator is 0 is null, never 0 and never NaN. */
function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** The KPI periods of `request` computed naively from the raw rows (see the header comment). */
export function referenceKpiPeriods(data: ReferenceData, request: ReferenceRequest): KpiPeriod[] {
  const pledgesByUser = new Map<number, ReferencePledge[]>();
  for (const user of data.users) pledgesByUser.set(user.id, []);
  for (const pledge of data.pledges) {
    const list = pledgesByUser.get(pledge.userId);
    if (!list) throw new Error(`pledge ${pledge.id} belongs to unknown user ${pledge.userId}`);
    list.push(pledge);
  }
  const asOf = request.asOf.getTime();

  return referencePeriodBounds(request).map(({ start: startDate, end: endDate }) => {
    const start = startDate.getTime();
    const end = endDate.getTime();
    let registrations = 0;
    let usersAtEnd = 0;
    let pledgersAtStart = 0;
    let pledgersAtEnd = 0;
    let mrrStartCents = 0;
    let mrrEndCents = 0;
    let newMrrCents = 0;
    let reactivationMrrCents = 0;
    let expansionMrrCents = 0;
    let contractionMrrCents = 0;
    let churnedMrrCents = 0;
    let churnedPledgers = 0;
    let conversionCohort = 0;
    let conversionConverted = 0;
    let estimatedChurnMovements = 0;

    for (const user of data.users) {
      const created = user.createdAt.getTime();
      const pledges = pledgesByUser.get(user.id) ?? [];

      if (start <= created && created < end) {
        registrations += 1;
        // Conversion: a pledge (active or not) created strictly before registration + 30 days.
        conversionCohort += 1;
        if (pledges.some((pledge) => pledge.createdAt.getTime() < created + conversionWindowMs)) {
          conversionConverted += 1;
        }
      }
      if (created < end) usersAtEnd += 1;

      const s = userMrrAt(pledges, start);
      const e = userMrrAt(pledges, end);
      mrrStartCents += s;
      mrrEndCents += e;
      if (s > 0) pledgersAtStart += 1;
      if (e > 0) pledgersAtEnd += 1;

      // Does the movement rest on an estimate? One of the user's pledges cancelled inside this period with
      // an instant the legacy import estimated.
      const estimatedCancel = pledges.some(
        (pledge) =>
          pledge.cancelledAtSource === 'estimated_import' &&
          pledge.cancelledAt !== null &&
          start <= pledge.cancelledAt.getTime() &&
          pledge.cancelledAt.getTime() < end,
      );

      if (s === 0 && e > 0) {
        const pledgedBefore = pledges.some((pledge) => pledge.createdAt.getTime() < start);
        if (pledgedBefore) reactivationMrrCents += e;
        else newMrrCents += e;
      } else if (s > 0 && e === 0) {
        churnedMrrCents += s;
        churnedPledgers += 1;
        if (estimatedCancel) estimatedChurnMovements += 1;
      } else if (0 < s && s < e) {
        expansionMrrCents += e - s;
      } else if (0 < e && e < s) {
        contractionMrrCents += s - e;
        if (estimatedCancel) estimatedChurnMovements += 1;
      }
    }

    return {
      periodStart: startDate.toISOString(),
      periodEnd: endDate.toISOString(),
      registrations,
      usersAtEnd,
      pledgersAtStart,
      pledgersAtEnd,
      mrrStartCents,
      mrrEndCents,
      newMrrCents,
      reactivationMrrCents,
      expansionMrrCents,
      contractionMrrCents,
      churnedMrrCents,
      churnedPledgers,
      logoChurnRate: ratio(churnedPledgers, pledgersAtStart),
      grossMrrChurnRate: ratio(churnedMrrCents + contractionMrrCents, mrrStartCents),
      netMrrRetention: ratio(
        mrrStartCents - churnedMrrCents - contractionMrrCents + expansionMrrCents,
        mrrStartCents,
      ),
      conversionCohort,
      conversionConverted,
      conversionRate: ratio(conversionConverted, conversionCohort),
      conversionMature: end + conversionWindowMs <= asOf,
      arpuCents: ratio(mrrEndCents, usersAtEnd),
      arppuCents: ratio(mrrEndCents, pledgersAtEnd),
      estimatedChurnMovements,
    };
  });
}
