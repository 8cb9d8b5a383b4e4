// Hand-worked KPI fixtures: small sets of users, artists and pledges with explicit ids and instants, and the
// numbers of every period worked out by hand from DESIGN.md "KPI definitions" (the arithmetic is in the
// comment beside each value). Both the engine and the independent reference must reproduce them.
// Reminders used throughout: a period is [start, end); a pledge is active at t when created_at < t and
// (cancelled_at IS NULL or cancelled_at >= t) — so a pledge created exactly at t is NOT active at t and one
// cancelled exactly at t still IS; 30 days = 30 × 24 h (UTC).
import type { Db } from '../../core/db/types.ts';
import type { KpiPeriod } from '../../core/kpi/types.ts';
import type {
  CancelSource,
  ReferencePledge,
  ReferenceRequest,
  ReferenceUser,
} from '../support/kpi-reference.ts';

export interface FixtureArtist {
  readonly id: number;
  readonly userId: number | null;
  readonly name: string;
  readonly createdAt: Date;
}

/** One period's hand-worked values: always its bounds, then any subset of the other fields. */
export type ExpectedPeriod = Pick<KpiPeriod, 'periodStart' | 'periodEnd'> & Partial<KpiPeriod>;

export interface KpiFixture {
  readonly name: string;
  /** What the fixture is there to catch. */
  readonly covers: string;
  readonly users: readonly ReferenceUser[];
  readonly artists: readonly FixtureArtist[];
  readonly pledges: readonly ReferencePledge[];
  readonly request: ReferenceRequest;
  /** Every period of the request, oldest first: the length is the expected number of periods. */
  readonly expected: readonly ExpectedPeriod[];
}

const at = (iso: string): Date => new Date(iso);

function user(id: number, createdAt: string): ReferenceUser {
  return { id, createdAt: at(createdAt) };
}

function pledge(
  id: number,
  userId: number,
  artistId: number,
  amountCents: number,
  createdAt: string,
  cancelledAt: string | null = null,
  /** How the cancel instant is known (pledges.cancelled_at_source): 'recorded' unless said otherwise. */
  cancelledAtSource: CancelSource = 'recorded',
): ReferencePledge {
  return {
    id,
    userId,
    artistId,
    amountCents,
    createdAt: at(createdAt),
    cancelledAt: cancelledAt === null ? null : at(cancelledAt),
    cancelledAtSource: cancelledAt === null ? null : cancelledAtSource,
  };
}

/** Two artist pages created long before any pledge, not owned by a user account. */
const twoArtists: readonly FixtureArtist[] = [
  { id: 1, userId: null, name: 'Artist One', createdAt: at('2024-01-01T00:00:00Z') },
  { id: 2, userId: null, name: 'Artist Two', createdAt: at('2024-01-01T00:00:00Z') },
];

// ---------------------------------------------------------------------------------------------------------
const monthBoundaries: KpiFixture = {
  name: 'month boundaries',
  covers:
    'a pledge created exactly at a period start, a pledge cancelled exactly at a period start, a zero-length ' +
    'pledge, registrations at the last millisecond of a month and at the first of the next (outside `to`)',
  users: [
    user(1, '2025-12-10T00:00:00Z'),
    user(2, '2025-11-05T00:00:00Z'),
    user(3, '2026-01-15T08:00:00Z'),
    user(4, '2026-03-31T23:59:59.999Z'),
    user(5, '2026-04-01T00:00:00Z'),
  ],
  artists: twoArtists,
  pledges: [
    // Created exactly at 2026-02-01: not active at 02-01 (created_at < t fails), active from just after.
    pledge(1, 1, 1, 1000, '2026-02-01T00:00:00Z'),
    // Cancelled exactly at 2026-02-01: still active at 02-01 (cancelled_at >= t), gone by 03-01.
    pledge(2, 2, 1, 500, '2025-11-20T00:00:00Z', '2026-02-01T00:00:00Z'),
    // Zero-length: created_at = cancelled_at, so created_at < t <= cancelled_at never holds: never active.
    pledge(3, 3, 2, 700, '2026-01-20T10:00:00Z', '2026-01-20T10:00:00Z'),
  ],
  request: { from: '2026-01-01', to: '2026-04-01', interval: 'month', asOf: at('2026-06-01T00:00:00Z') },
  expected: [
    {
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-02-01T00:00:00.000Z',
      registrations: 1, // user 3 (01-15)
      usersAtEnd: 3, // users 1, 2, 3 created before 02-01
      pledgersAtStart: 1, // user 2 (pledge 2 active at 01-01)
      pledgersAtEnd: 1, // user 2: pledge 2 cancelled exactly at 02-01 is still active at 02-01
      mrrStartCents: 500, // pledge 2
      mrrEndCents: 500, // pledge 2; pledge 1 (created at 02-01) is not active at 02-01
      newMrrCents: 0, // user 1 is s = 0, e = 0 in January: pledge 1 belongs to February
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0, // user 2 is 500 → 500: the boundary cancel is not a January churn
      churnedPledgers: 0,
      logoChurnRate: 0 / 1, // churnedPledgers 0 / pledgersAtStart 1
      grossMrrChurnRate: 0 / 500, // (churned 0 + contraction 0) / mrrStart 500
      netMrrRetention: 500 / 500, // (500 − 0 − 0 + 0) / 500
      conversionCohort: 1, // user 3
      conversionConverted: 1, // zero-length pledge 3 at 01-20 < 01-15T08:00 + 30 d = 02-14T08:00 ("active or not")
      conversionRate: 1 / 1,
      conversionMature: true, // 02-01 + 30 d = 03-03 <= asOf 06-01
      arpuCents: 500 / 3, // mrrEnd 500 / usersAtEnd 3
      arppuCents: 500 / 1, // mrrEnd 500 / pledgersAtEnd 1
    },
    {
      periodStart: '2026-02-01T00:00:00.000Z',
      periodEnd: '2026-03-01T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 3,
      pledgersAtStart: 1, // user 2
      pledgersAtEnd: 1, // user 1
      mrrStartCents: 500, // pledge 2 (active at 02-01, cancelled that instant)
      mrrEndCents: 1000, // pledge 1
      newMrrCents: 1000, // user 1: s 0, e 1000; pledge 1 was created at 02-01, not before the start → new
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 500, // user 2: s 500, e 0
      churnedPledgers: 1, // user 2
      logoChurnRate: 1 / 1, // 1 churned / 1 pledger at start
      grossMrrChurnRate: 500 / 500, // (500 + 0) / 500
      netMrrRetention: 0 / 500, // (500 − 500 − 0 + 0) / 500
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null, // cohort 0
      conversionMature: true, // 03-01 + 30 d = 03-31 <= 06-01
      arpuCents: 1000 / 3, // identity: 500 + 1000 + 0 + 0 − 0 − 500 = 1000
      arppuCents: 1000 / 1,
    },
    {
      periodStart: '2026-03-01T00:00:00.000Z',
      periodEnd: '2026-04-01T00:00:00.000Z',
      registrations: 1, // user 4 at 03-31T23:59:59.999; user 5 at 04-01T00:00 belongs to April
      usersAtEnd: 4, // users 1–4
      pledgersAtStart: 1,
      pledgersAtEnd: 1,
      mrrStartCents: 1000,
      mrrEndCents: 1000,
      newMrrCents: 0,
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: 0,
      grossMrrChurnRate: 0,
      netMrrRetention: 1, // 1000 / 1000
      conversionCohort: 1, // user 4
      conversionConverted: 0, // user 4 never pledges
      conversionRate: 0 / 1,
      conversionMature: true, // 04-01 + 30 d = 05-01 <= 06-01
      arpuCents: 1000 / 4, // 250
      arppuCents: 1000 / 1,
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------
const amountChanges: KpiFixture = {
  name: 'amount changes',
  covers:
    'cancel + re-pledge at the same instant with a higher (expansion) and a lower (contraction) amount, an ' +
    'amount change exactly at a period boundary, a partial cancel (contraction, not churn), `from` in mid-month ' +
    'aligned down, and conversionMature true at exactly end + 30 days = asOf and false after',
  users: [
    user(10, '2026-01-05T00:00:00Z'),
    user(11, '2026-01-06T00:00:00Z'),
    user(12, '2026-04-02T00:00:00Z'),
    user(13, '2026-04-15T00:00:00Z'),
    user(14, '2026-05-25T10:00:00Z'),
  ],
  artists: twoArtists,
  pledges: [
    // user 10 raises 1000 → 1500 on 05-10 (cancel and re-pledge at the same instant).
    pledge(10, 10, 1, 1000, '2026-02-01T12:00:00Z', '2026-05-10T09:30:00Z'),
    pledge(11, 10, 1, 1500, '2026-05-10T09:30:00Z'),
    // user 11 lowers 2000 → 800 on 06-15.
    pledge(12, 11, 2, 2000, '2026-03-03T00:00:00Z', '2026-06-15T00:00:00Z'),
    pledge(13, 11, 2, 800, '2026-06-15T00:00:00Z'),
    // user 12 raises 600 → 900 exactly at 06-01: at 06-01 the old pledge is active (cancelled_at >= t) and
    // the new one is not (created_at < t fails), so the MRR at 06-01 is still 600: the change is June's.
    pledge(14, 12, 1, 600, '2026-04-10T00:00:00Z', '2026-06-01T00:00:00Z'),
    pledge(15, 12, 1, 900, '2026-06-01T00:00:00Z'),
    // user 13 pledges to both artists and cancels one of them in June: 650 → 400.
    pledge(16, 13, 1, 400, '2026-04-20T00:00:00Z'),
    pledge(17, 13, 2, 250, '2026-04-21T00:00:00Z', '2026-06-20T00:00:00Z'),
    // user 14 registers in May and pledges the next day.
    pledge(18, 14, 2, 500, '2026-05-26T00:00:00Z'),
  ],
  // from 05-17 aligns down to 05-01; to 07-01 excludes July.
  request: { from: '2026-05-17', to: '2026-07-01', interval: 'month', asOf: at('2026-07-01T00:00:00Z') },
  expected: [
    {
      periodStart: '2026-05-01T00:00:00.000Z',
      periodEnd: '2026-06-01T00:00:00.000Z',
      registrations: 1, // user 14
      usersAtEnd: 5, // users 10–14
      pledgersAtStart: 4, // users 10, 11, 12, 13
      pledgersAtEnd: 5, // + user 14
      mrrStartCents: 4250, // 1000 (u10) + 2000 (u11) + 600 (u12) + 650 (u13: 400 + 250)
      mrrEndCents: 5250, // 1500 (u10) + 2000 (u11) + 600 (u12, see pledge 14/15) + 650 (u13) + 500 (u14)
      newMrrCents: 500, // user 14: s 0, e 500, no pledge before 05-01
      reactivationMrrCents: 0,
      expansionMrrCents: 500, // user 10: 1500 − 1000
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: 0 / 4,
      grossMrrChurnRate: 0 / 4250,
      netMrrRetention: 4750 / 4250, // (4250 − 0 − 0 + 500) / 4250 = 19/17
      conversionCohort: 1, // user 14
      conversionConverted: 1, // pledge 18 at 05-26 < 05-25T10:00 + 30 d
      conversionRate: 1,
      conversionMature: true, // 06-01 + 30 d = 07-01 <= asOf 07-01 (equal counts)
      arpuCents: 5250 / 5, // 1050; identity: 4250 + 500 + 0 + 500 − 0 − 0 = 5250
      arppuCents: 5250 / 5, // 1050
    },
    {
      periodStart: '2026-06-01T00:00:00.000Z',
      periodEnd: '2026-07-01T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 5,
      pledgersAtStart: 5,
      pledgersAtEnd: 5,
      mrrStartCents: 5250,
      mrrEndCents: 4100, // 1500 (u10) + 800 (u11) + 900 (u12) + 400 (u13) + 500 (u14)
      newMrrCents: 0,
      reactivationMrrCents: 0,
      expansionMrrCents: 300, // user 12: 900 − 600
      contractionMrrCents: 1450, // user 11: 2000 − 800 = 1200; user 13: 650 − 400 = 250
      churnedMrrCents: 0, // user 13 keeps one pledge: contraction, not churn
      churnedPledgers: 0,
      logoChurnRate: 0 / 5,
      grossMrrChurnRate: 1450 / 5250, // (0 + 1450) / 5250
      netMrrRetention: 4100 / 5250, // (5250 − 0 − 1450 + 300) / 5250; identity: 5250 + 300 − 1450 = 4100
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null,
      conversionMature: false, // 07-01 + 30 d = 07-31 > asOf 07-01
      arpuCents: 4100 / 5, // 820
      arppuCents: 4100 / 5, // 820
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------
const reactivationAndInMonthChurn: KpiFixture = {
  name: 'reactivation and in-month churn',
  covers:
    'reactivation after months away (to another artist and with the same amount at the last millisecond), a ' +
    'user who registers, pledges and cancels inside one month (no movement), a cancel at the last millisecond',
  users: [
    user(20, '2025-09-01T00:00:00Z'),
    user(21, '2026-02-03T10:00:00Z'),
    user(22, '2025-06-01T00:00:00Z'),
    user(23, '2025-07-01T00:00:00Z'),
  ],
  artists: twoArtists,
  pledges: [
    // user 20 leaves in November 2025 and comes back in March 2026 to another artist with a new amount.
    pledge(20, 20, 1, 800, '2025-09-02T00:00:00Z', '2025-11-15T00:00:00Z'),
    pledge(21, 20, 2, 600, '2026-03-10T00:00:00Z'),
    // user 21 joins, pledges and cancels, all in February.
    pledge(22, 21, 1, 1200, '2026-02-03T10:05:00Z', '2026-02-25T00:00:00Z'),
    // user 22 is a steady pledger.
    pledge(23, 22, 1, 1000, '2025-06-02T00:00:00Z'),
    // user 23 cancels at the last millisecond of January and comes back at the last millisecond of March.
    pledge(24, 23, 2, 450, '2025-07-02T00:00:00Z', '2026-01-31T23:59:59.999Z'),
    pledge(25, 23, 2, 450, '2026-03-31T23:59:59.999Z'),
  ],
  request: { from: '2026-01-01', to: '2026-04-01', interval: 'month', asOf: at('2026-04-01T00:00:00Z') },
  expected: [
    {
      periodStart: '2026-01-01T00:00:00.000Z',
      periodEnd: '2026-02-01T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 3, // users 20, 22, 23
      pledgersAtStart: 2, // users 22, 23 (user 20 left in November)
      pledgersAtEnd: 1, // user 22
      mrrStartCents: 1450, // 1000 + 450
      mrrEndCents: 1000, // pledge 24 cancelled 01-31T23:59:59.999 < 02-01
      newMrrCents: 0,
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 450, // user 23: s 450, e 0
      churnedPledgers: 1,
      logoChurnRate: 1 / 2,
      grossMrrChurnRate: 450 / 1450, // (450 + 0) / 1450
      netMrrRetention: 1000 / 1450, // (1450 − 450 − 0 + 0) / 1450; identity: 1450 − 450 = 1000
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null,
      conversionMature: true, // 02-01 + 30 d = 03-03 <= asOf 04-01
      arpuCents: 1000 / 3,
      arppuCents: 1000 / 1,
    },
    {
      periodStart: '2026-02-01T00:00:00.000Z',
      periodEnd: '2026-03-01T00:00:00.000Z',
      registrations: 1, // user 21
      usersAtEnd: 4,
      pledgersAtStart: 1,
      pledgersAtEnd: 1, // user 21 is no pledger at either end: pledge 22 lies strictly inside February
      mrrStartCents: 1000,
      mrrEndCents: 1000,
      newMrrCents: 0, // user 21: s 0, e 0 — no movement at all
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0, // user 21 was never a pledger at a boundary
      logoChurnRate: 0 / 1,
      grossMrrChurnRate: 0 / 1000,
      netMrrRetention: 1000 / 1000,
      conversionCohort: 1, // user 21
      conversionConverted: 1, // pledge 22 at 02-03T10:05 < 02-03T10:00 + 30 d (cancelled, still counts)
      conversionRate: 1,
      conversionMature: true, // 03-01 + 30 d = 03-31 <= 04-01
      arpuCents: 1000 / 4, // 250
      arppuCents: 1000 / 1,
    },
    {
      periodStart: '2026-03-01T00:00:00.000Z',
      periodEnd: '2026-04-01T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 4,
      pledgersAtStart: 1, // user 22
      pledgersAtEnd: 3, // users 20, 22, 23
      mrrStartCents: 1000,
      mrrEndCents: 2050, // 1000 + 600 (u20) + 450 (u23, created 03-31T23:59:59.999 < 04-01)
      newMrrCents: 0,
      reactivationMrrCents: 1050, // u20: 600 (pledge 20 before 03-01) + u23: 450 (pledge 24 before 03-01)
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: 0,
      grossMrrChurnRate: 0,
      netMrrRetention: 1, // identity: 1000 + 1050 = 2050
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null,
      conversionMature: false, // 04-01 + 30 d = 05-01 > 04-01
      arpuCents: 2050 / 4, // 512.5
      arppuCents: 2050 / 3,
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------
const daysAndEmptyPeriods: KpiFixture = {
  name: 'day intervals and empty periods',
  covers:
    'day periods across the end of February, a day with no users at all (arpu and conversionRate null), days ' +
    'with no pledgers (churn rates, retention and arppu null, arpu 0), a registration exactly at a day start, a ' +
    'one-day pledge cancelled exactly at midnight, conversionMature at the asOf edge',
  users: [user(30, '2026-02-28T23:00:00Z'), user(31, '2026-03-01T00:00:00Z')],
  artists: twoArtists,
  pledges: [pledge(30, 30, 1, 500, '2026-03-01T12:00:00Z', '2026-03-02T00:00:00Z')],
  request: { from: '2026-02-27', to: '2026-03-03', interval: 'day', asOf: at('2026-04-01T00:00:00Z') },
  expected: [
    {
      periodStart: '2026-02-27T00:00:00.000Z',
      periodEnd: '2026-02-28T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 0, // nobody yet
      pledgersAtStart: 0,
      pledgersAtEnd: 0,
      mrrStartCents: 0,
      mrrEndCents: 0,
      newMrrCents: 0,
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: null, // pledgersAtStart 0
      grossMrrChurnRate: null, // mrrStart 0
      netMrrRetention: null, // mrrStart 0
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null, // cohort 0
      conversionMature: true, // 02-28 + 30 d = 03-30 <= asOf 04-01
      arpuCents: null, // usersAtEnd 0
      arppuCents: null, // pledgersAtEnd 0
    },
    {
      periodStart: '2026-02-28T00:00:00.000Z',
      periodEnd: '2026-03-01T00:00:00.000Z',
      registrations: 1, // user 30 at 23:00
      usersAtEnd: 1, // user 31 registers exactly at the end: not counted (created_at < end fails)
      pledgersAtStart: 0,
      pledgersAtEnd: 0,
      mrrStartCents: 0,
      mrrEndCents: 0,
      newMrrCents: 0,
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: null,
      grossMrrChurnRate: null,
      netMrrRetention: null,
      conversionCohort: 1, // user 30
      conversionConverted: 1, // pledge 30 at 03-01T12:00 < 02-28T23:00 + 30 d = 03-30T23:00
      conversionRate: 1,
      conversionMature: true, // 03-01 + 30 d = 03-31 <= 04-01
      arpuCents: 0 / 1, // 0, not null: there is a user
      arppuCents: null,
    },
    {
      periodStart: '2026-03-01T00:00:00.000Z',
      periodEnd: '2026-03-02T00:00:00.000Z',
      registrations: 1, // user 31 exactly at the start (start <= created_at)
      usersAtEnd: 2,
      pledgersAtStart: 0,
      pledgersAtEnd: 1, // pledge 30: created 03-01T12:00 < 03-02, cancelled 03-02 >= 03-02 → active at end
      mrrStartCents: 0,
      mrrEndCents: 500,
      newMrrCents: 500, // user 30: s 0, e 500, nothing before 03-01
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: null, // pledgersAtStart 0
      grossMrrChurnRate: null, // mrrStart 0
      netMrrRetention: null,
      conversionCohort: 1, // user 31
      conversionConverted: 0,
      conversionRate: 0,
      conversionMature: true, // 03-02 + 30 d = 04-01 <= asOf 04-01 (equal counts)
      arpuCents: 500 / 2, // 250
      arppuCents: 500 / 1,
    },
    {
      periodStart: '2026-03-02T00:00:00.000Z',
      periodEnd: '2026-03-03T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 2,
      pledgersAtStart: 1, // pledge 30 still active at 03-02 (its cancel instant)
      pledgersAtEnd: 0,
      mrrStartCents: 500,
      mrrEndCents: 0,
      newMrrCents: 0,
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 500, // user 30: s 500, e 0
      churnedPledgers: 1,
      logoChurnRate: 1 / 1,
      grossMrrChurnRate: 500 / 500,
      netMrrRetention: 0 / 500, // (500 − 500 − 0 + 0) / 500
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null,
      conversionMature: false, // 03-03 + 30 d = 04-02 > 04-01
      arpuCents: 0 / 2, // 0
      arppuCents: null, // pledgersAtEnd 0
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------
const isoWeeks: KpiFixture = {
  name: 'ISO weeks across the new year',
  covers:
    'week periods starting Monday 00:00 UTC (from on a Thursday aligns down to Monday 2025-12-29, across the ' +
    'year end), registrations at the Sunday/Monday edges, new, churn and reactivation by week, conversionMature ' +
    'true then false within one request',
  users: [
    user(40, '2025-12-28T23:59:59Z'), // Sunday: the week before the first period
    user(41, '2025-12-29T00:00:00Z'), // Monday 00:00: first instant of the first period
    user(42, '2026-01-04T23:59:59.999Z'), // Sunday: last instant of the first period
    user(43, '2026-01-05T00:00:00Z'), // Monday: the second period
  ],
  artists: twoArtists,
  pledges: [
    pledge(40, 40, 1, 1000, '2025-12-29T00:00:00Z'), // exactly at the first week's start
    pledge(41, 41, 2, 2000, '2026-01-02T00:00:00Z', '2026-01-07T00:00:00Z'),
    pledge(42, 42, 1, 700, '2026-01-10T00:00:00Z'),
    pledge(43, 43, 2, 300, '2026-01-13T00:00:00Z', '2026-01-13T06:00:00Z'),
    pledge(44, 41, 1, 2500, '2026-01-14T00:00:00Z'), // user 41 back a week after leaving
  ],
  // 2026-01-01 is a Thursday → 2025-12-29; 2026-01-19 (a Monday) is excluded: weeks 12-29, 01-05, 01-12.
  request: { from: '2026-01-01', to: '2026-01-19', interval: 'week', asOf: at('2026-02-10T00:00:00Z') },
  expected: [
    {
      periodStart: '2025-12-29T00:00:00.000Z',
      periodEnd: '2026-01-05T00:00:00.000Z',
      registrations: 2, // users 41, 42 (user 40 registered the Sunday before)
      usersAtEnd: 3, // users 40, 41, 42
      pledgersAtStart: 0, // pledge 40 created exactly at 12-29 is not active at 12-29
      pledgersAtEnd: 2, // users 40, 41
      mrrStartCents: 0,
      mrrEndCents: 3000, // 1000 + 2000
      newMrrCents: 3000, // users 40 (1000) and 41 (2000), neither pledged before 12-29
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: null,
      grossMrrChurnRate: null,
      netMrrRetention: null,
      conversionCohort: 2, // users 41, 42
      conversionConverted: 2, // u41: 01-02 < 01-28; u42: 01-10 < 02-03T23:59:59.999
      conversionRate: 2 / 2,
      conversionMature: true, // 01-05 + 30 d = 02-04 <= asOf 02-10
      arpuCents: 3000 / 3, // 1000
      arppuCents: 3000 / 2, // 1500
    },
    {
      periodStart: '2026-01-05T00:00:00.000Z',
      periodEnd: '2026-01-12T00:00:00.000Z',
      registrations: 1, // user 43
      usersAtEnd: 4,
      pledgersAtStart: 2, // users 40, 41
      pledgersAtEnd: 2, // users 40, 42
      mrrStartCents: 3000,
      mrrEndCents: 1700, // 1000 (u40) + 700 (u42)
      newMrrCents: 700, // user 42
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 2000, // user 41 cancelled 01-07
      churnedPledgers: 1,
      logoChurnRate: 1 / 2,
      grossMrrChurnRate: 2000 / 3000,
      netMrrRetention: 1000 / 3000, // (3000 − 2000 − 0 + 0) / 3000; identity: 3000 + 700 − 2000 = 1700
      conversionCohort: 1, // user 43
      conversionConverted: 1, // pledge 43 at 01-13 < 01-05 + 30 d = 02-04
      conversionRate: 1,
      conversionMature: false, // 01-12 + 30 d = 02-11 > 02-10
      arpuCents: 1700 / 4, // 425
      arppuCents: 1700 / 2, // 850
    },
    {
      periodStart: '2026-01-12T00:00:00.000Z',
      periodEnd: '2026-01-19T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 4,
      pledgersAtStart: 2, // users 40, 42
      pledgersAtEnd: 3, // users 40, 41, 42 (user 43's pledge lasted six hours inside the week)
      mrrStartCents: 1700,
      mrrEndCents: 4200, // 1000 + 2500 + 700
      newMrrCents: 0, // user 43: s 0, e 0
      reactivationMrrCents: 2500, // user 41: s 0, e 2500, pledge 41 created before 01-12
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: 0 / 2,
      grossMrrChurnRate: 0 / 1700,
      netMrrRetention: 1700 / 1700, // identity: 1700 + 2500 = 4200
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null,
      conversionMature: false, // 01-19 + 30 d = 02-18 > 02-10
      arpuCents: 4200 / 4, // 1050
      arppuCents: 4200 / 3, // 1400
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------
const conversionWindow: KpiFixture = {
  name: 'conversion window edges',
  covers:
    'a first pledge exactly 30 days after registering (not converted) and one a second earlier (converted), ' +
    'windows spanning the March daylight-saving changes (30 days must be 720 hours), cancelled and ' +
    'zero-length pledges converting, a late pledge not converting, a month with users but no pledgers',
  users: [
    user(50, '2026-03-05T12:00:00Z'),
    user(51, '2026-03-05T12:00:00Z'),
    user(52, '2026-03-20T00:00:00Z'),
    user(53, '2026-03-28T00:00:00Z'),
    user(54, '2026-03-10T00:00:00Z'),
    user(55, '2026-03-15T00:00:00Z'),
  ],
  artists: twoArtists,
  pledges: [
    pledge(50, 50, 1, 1000, '2026-04-04T12:00:00Z'), // = 03-05T12:00 + 720 h: not before → not converted
    pledge(51, 51, 2, 1100, '2026-04-04T11:59:59Z'), // one second earlier → converted
    pledge(52, 52, 1, 200, '2026-03-25T00:00:00Z', '2026-03-26T00:00:00Z'), // cancelled, still converts
    pledge(53, 55, 2, 300, '2026-03-16T00:00:00Z', '2026-03-16T00:00:00Z'), // zero-length, still converts
    pledge(54, 54, 1, 1300, '2026-04-20T00:00:00Z'), // 41 days after 03-10: too late
  ],
  request: {
    from: '2026-03-01',
    to: '2026-05-01',
    interval: 'month',
    asOf: at('2026-05-30T23:59:59.999Z'),
  },
  expected: [
    {
      periodStart: '2026-03-01T00:00:00.000Z',
      periodEnd: '2026-04-01T00:00:00.000Z',
      registrations: 6, // users 50–55
      usersAtEnd: 6,
      pledgersAtStart: 0,
      pledgersAtEnd: 0, // pledge 52 ended 03-26, pledge 53 never active, the others start in April
      mrrStartCents: 0,
      mrrEndCents: 0,
      newMrrCents: 0,
      churnedMrrCents: 0,
      logoChurnRate: null,
      grossMrrChurnRate: null,
      netMrrRetention: null,
      conversionCohort: 6,
      conversionConverted: 3, // users 51, 52, 55 (not 50: exactly +30 d; not 53: no pledge; not 54: too late)
      conversionRate: 3 / 6, // 0.5
      conversionMature: true, // 04-01 + 30 d = 05-01 <= asOf 05-30T23:59:59.999
      arpuCents: 0 / 6, // 0
      arppuCents: null, // pledgersAtEnd 0
    },
    {
      periodStart: '2026-04-01T00:00:00.000Z',
      periodEnd: '2026-05-01T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 6,
      pledgersAtStart: 0,
      pledgersAtEnd: 3, // users 50, 51, 54
      mrrStartCents: 0,
      mrrEndCents: 3400, // 1000 + 1100 + 1300
      newMrrCents: 3400, // none of users 50, 51, 54 pledged before 04-01
      reactivationMrrCents: 0,
      churnedMrrCents: 0,
      churnedPledgers: 0,
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null,
      conversionMature: false, // 05-01 + 30 d = 05-31T00:00 > asOf 05-30T23:59:59.999
      arpuCents: 3400 / 6,
      arppuCents: 3400 / 3,
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------
const movementEdges: KpiFixture = {
  name: 'movement classification edges',
  covers:
    'a one-period request from a mid-month day to the next day (the whole month is covered), an artist swap ' +
    'with a gap but the same amount (no movement), "no pledge created before start" read literally: a ' +
    'zero-length pledge long ago makes a return a reactivation, a pledge created exactly at the start (and ' +
    'cancelled) leaves a later pledge new',
  users: [
    user(60, '2025-10-01T00:00:00Z'),
    user(61, '2025-11-01T00:00:00Z'),
    user(62, '2026-02-20T00:00:00Z'),
    user(63, '2026-03-03T00:00:00Z'),
  ],
  artists: twoArtists,
  pledges: [
    // user 60 moves 900 from artist 1 to artist 2 with a two-day gap: s 900, e 900 → nothing.
    pledge(60, 60, 1, 900, '2025-10-02T00:00:00Z', '2026-03-10T00:00:00Z'),
    pledge(61, 60, 2, 900, '2026-03-12T00:00:00Z'),
    // user 61: a zero-length pledge in December (never active), then a real one in March.
    pledge(62, 61, 1, 400, '2025-12-01T00:00:00Z', '2025-12-01T00:00:00Z'),
    pledge(65, 61, 1, 400, '2026-03-20T00:00:00Z'),
    // user 62: a pledge created exactly at 03-01 (not before the start) and cancelled, then another.
    pledge(63, 62, 1, 250, '2026-03-01T00:00:00Z', '2026-03-05T00:00:00Z'),
    pledge(64, 62, 2, 350, '2026-03-20T00:00:00Z'),
  ],
  // alignDown(03-15) = 03-01 < to 03-16, and the next start 04-01 is not < 03-16: one whole month.
  request: { from: '2026-03-15', to: '2026-03-16', interval: 'month', asOf: at('2026-03-16T00:00:00Z') },
  expected: [
    {
      periodStart: '2026-03-01T00:00:00.000Z',
      periodEnd: '2026-04-01T00:00:00.000Z',
      registrations: 1, // user 63
      usersAtEnd: 4,
      pledgersAtStart: 1, // user 60
      pledgersAtEnd: 3, // users 60, 61, 62
      mrrStartCents: 900,
      mrrEndCents: 1650, // 900 + 400 + 350
      newMrrCents: 350, // user 62: pledge 63 was created AT the start, not before it → new
      reactivationMrrCents: 400, // user 61: zero-length pledge 62 was created before 03-01 → reactivation
      expansionMrrCents: 0, // user 60: 900 → 900
      contractionMrrCents: 0,
      churnedMrrCents: 0, // user 60's gap falls inside the month: no churn
      churnedPledgers: 0,
      logoChurnRate: 0 / 1,
      grossMrrChurnRate: 0 / 900,
      netMrrRetention: 900 / 900, // identity: 900 + 350 + 400 = 1650
      conversionCohort: 1, // user 63
      conversionConverted: 0,
      conversionRate: 0 / 1,
      conversionMature: false, // 04-01 + 30 d > asOf 03-16
      arpuCents: 1650 / 4, // 412.5
      arppuCents: 1650 / 3, // 550
    },
  ],
};

// ---------------------------------------------------------------------------------------------------------
const estimatedCancellations: KpiFixture = {
  name: 'churn on estimated cancel instants',
  covers:
    'estimatedChurnMovements: churn and contraction through a cancel the legacy import estimated count once ' +
    "per user; a 'recorded' or 'observed_follow' cancel does not; an estimated cancel outweighed in the same " +
    'period (expansion, same-amount re-pledge, a pledge created and cancelled inside it) does not; an ' +
    'estimated cancel exactly at a period start counts in that (later) period; a recorded churn in a later ' +
    'period after an estimated contraction does not; periods without such cancels give 0',
  // Everyone registered in January, outside the request: registrations 0 and usersAtEnd 11 throughout.
  users: [70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80].map((id) => user(id, '2026-01-15T00:00:00Z')),
  artists: twoArtists,
  pledges: [
    // user 70: 500, estimated cancel in June → June churn, counted.
    pledge(70, 70, 1, 500, '2026-02-01T00:00:00Z', '2026-06-10T00:00:00Z', 'estimated_import'),
    // user 71: 600, recorded cancel in June → June churn, not counted.
    pledge(71, 71, 1, 600, '2026-02-01T00:00:00Z', '2026-06-11T00:00:00Z', 'recorded'),
    // user 72: 400 + 300, the 300 cancelled (estimated) in June → June contraction 700 → 400, counted.
    pledge(72, 72, 1, 400, '2026-02-01T00:00:00Z'),
    pledge(73, 72, 2, 300, '2026-02-01T00:00:00Z', '2026-06-12T00:00:00Z', 'estimated_import'),
    // user 73: 200 (recorded cancel) + 250 (estimated cancel), both in June → one churn, counted once.
    pledge(74, 73, 1, 200, '2026-02-01T00:00:00Z', '2026-06-05T00:00:00Z', 'recorded'),
    pledge(75, 73, 2, 250, '2026-02-01T00:00:00Z', '2026-06-20T00:00:00Z', 'estimated_import'),
    // user 74: 300 cancelled (estimated) in June, 800 pledged the next day → expansion 300 → 800, not counted.
    pledge(76, 74, 1, 300, '2026-02-01T00:00:00Z', '2026-06-15T00:00:00Z', 'estimated_import'),
    pledge(77, 74, 2, 800, '2026-06-16T00:00:00Z'),
    // user 75: 450, cancel observed by --follow in June → June churn, not an estimate, not counted.
    pledge(78, 75, 1, 450, '2026-02-01T00:00:00Z', '2026-06-18T00:00:00Z', 'observed_follow'),
    // user 76: 350 cancelled (estimated) and 350 pledged again in June → 350 → 350, no movement.
    pledge(79, 76, 1, 350, '2026-02-01T00:00:00Z', '2026-06-08T00:00:00Z', 'estimated_import'),
    pledge(80, 76, 2, 350, '2026-06-09T00:00:00Z'),
    // user 77: 150 cancelled (estimated) exactly at 07-01: still active at 07-01 → a July churn, counted there.
    pledge(81, 77, 1, 150, '2026-02-01T00:00:00Z', '2026-07-01T00:00:00Z', 'estimated_import'),
    // user 78: 120 created and cancelled (estimated) inside June → 0 → 0, no movement.
    pledge(82, 78, 1, 120, '2026-06-02T00:00:00Z', '2026-06-03T00:00:00Z', 'estimated_import'),
    // user 79: 500 cancelled (estimated) in May → May contraction 700 → 200, counted in May; the 200
    // cancelled (recorded) in June → June churn, not counted (the estimate lies in May).
    pledge(83, 79, 1, 500, '2026-02-01T00:00:00Z', '2026-05-20T00:00:00Z', 'estimated_import'),
    pledge(84, 79, 2, 200, '2026-02-01T00:00:00Z', '2026-06-25T00:00:00Z', 'recorded'),
    // user 80: 100, recorded cancel in April → April churn, not counted.
    pledge(85, 80, 1, 100, '2026-02-01T00:00:00Z', '2026-04-10T00:00:00Z', 'recorded'),
  ],
  request: { from: '2026-04-01', to: '2026-09-01', interval: 'month', asOf: at('2026-12-01T00:00:00Z') },
  expected: [
    {
      periodStart: '2026-04-01T00:00:00.000Z',
      periodEnd: '2026-05-01T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 11,
      pledgersAtStart: 10, // users 70–77, 79, 80 (78 has no pledge before June)
      pledgersAtEnd: 9, // user 80 churned
      // 500 + 600 + 400 + 300 + 200 + 250 + 300 + 450 + 350 + 150 + 500 + 200 + 100
      mrrStartCents: 4300,
      mrrEndCents: 4200,
      newMrrCents: 0,
      reactivationMrrCents: 0,
      expansionMrrCents: 0,
      contractionMrrCents: 0,
      churnedMrrCents: 100, // user 80
      churnedPledgers: 1,
      logoChurnRate: 1 / 10,
      grossMrrChurnRate: 100 / 4300,
      netMrrRetention: 4200 / 4300,
      conversionCohort: 0,
      conversionRate: null,
      conversionMature: true,
      arpuCents: 4200 / 11,
      arppuCents: 4200 / 9,
      estimatedChurnMovements: 0, // churn, but on a recorded cancel
    },
    {
      periodStart: '2026-05-01T00:00:00.000Z',
      periodEnd: '2026-06-01T00:00:00.000Z',
      pledgersAtStart: 9,
      pledgersAtEnd: 9,
      mrrStartCents: 4200,
      mrrEndCents: 3700,
      expansionMrrCents: 0,
      contractionMrrCents: 500, // user 79: 700 → 200
      churnedMrrCents: 0,
      churnedPledgers: 0,
      logoChurnRate: 0 / 9,
      grossMrrChurnRate: 500 / 4200,
      netMrrRetention: 3700 / 4200,
      arppuCents: 3700 / 9,
      estimatedChurnMovements: 1, // user 79's contraction
    },
    {
      periodStart: '2026-06-01T00:00:00.000Z',
      periodEnd: '2026-07-01T00:00:00.000Z',
      registrations: 0,
      usersAtEnd: 11,
      pledgersAtStart: 9, // users 70–77, 79
      pledgersAtEnd: 4, // users 72 (400), 74 (800), 76 (350), 77 (150)
      mrrStartCents: 3700,
      mrrEndCents: 1700, // 400 + 800 + 350 + 150
      newMrrCents: 0, // user 78 is 0 → 0
      reactivationMrrCents: 0,
      expansionMrrCents: 500, // user 74: 300 → 800
      contractionMrrCents: 300, // user 72: 700 → 400
      churnedMrrCents: 2200, // users 70 (500), 71 (600), 73 (450), 75 (450), 79 (200)
      churnedPledgers: 5,
      logoChurnRate: 5 / 9,
      grossMrrChurnRate: (2200 + 300) / 3700,
      netMrrRetention: (3700 - 2200 - 300 + 500) / 3700, // identity: 3700 + 500 − 300 − 2200 = 1700
      conversionCohort: 0,
      conversionConverted: 0,
      conversionRate: null,
      conversionMature: true,
      arpuCents: 1700 / 11,
      arppuCents: 1700 / 4,
      // users 70 (churn), 72 (contraction), 73 (churn, one of two cancels estimated); not 71 (recorded),
      // 74 (expansion), 75 (observed_follow), 76 and 78 (no movement), 79 (recorded; its estimate is in May)
      estimatedChurnMovements: 3,
    },
    {
      periodStart: '2026-07-01T00:00:00.000Z',
      periodEnd: '2026-08-01T00:00:00.000Z',
      pledgersAtStart: 4,
      pledgersAtEnd: 3,
      mrrStartCents: 1700,
      mrrEndCents: 1550,
      churnedMrrCents: 150, // user 77, cancelled at 07-01T00:00
      churnedPledgers: 1,
      logoChurnRate: 1 / 4,
      grossMrrChurnRate: 150 / 1700,
      netMrrRetention: 1550 / 1700,
      estimatedChurnMovements: 1, // user 77
    },
    {
      periodStart: '2026-08-01T00:00:00.000Z',
      periodEnd: '2026-09-01T00:00:00.000Z',
      pledgersAtStart: 3,
      pledgersAtEnd: 3,
      mrrStartCents: 1550,
      mrrEndCents: 1550,
      churnedMrrCents: 0,
      contractionMrrCents: 0,
      logoChurnRate: 0 / 3,
      arpuCents: 1550 / 11,
      arppuCents: 1550 / 3,
      estimatedChurnMovements: 0, // no event at all
    },
  ],
};

export const kpiFixtures: readonly KpiFixture[] = [
  monthBoundaries,
  amountChanges,
  reactivationAndInMonthChurn,
  daysAndEmptyPeriods,
  isoWeeks,
  conversionWindow,
  movementEdges,
  estimatedCancellations,
];

/** Writes a fixture's rows (explicit ids) into a migrated database, in one transaction. */
export async function loadFixture(db: Db, fixture: KpiFixture): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.copyRows(
      { table: 'users', columns: ['id', 'email', 'password_hash', 'created_at'] },
      fixture.users.map((u) => [u.id, `u${u.id}@fixture.test`, 'x', u.createdAt]),
    );
    await tx.copyRows(
      { table: 'artists', columns: ['id', 'user_id', 'name', 'created_at'] },
      fixture.artists.map((a) => [a.id, a.userId, a.name, a.createdAt]),
    );
    await tx.copyRows(
      {
        table: 'pledges',
        columns: [
          'id',
          'user_id',
          'artist_id',
          'amount_cents',
          'created_at',
          'cancelled_at',
          'cancelled_at_source',
        ],
      },
      fixture.pledges.map((p) => [
        p.id,
        p.userId,
        p.artistId,
        p.amountCents,
        p.createdAt,
        p.cancelledAt,
        p.cancelledAtSource,
      ]),
    );
  });
}
