// A user's packed share of the open period (user-contribution.ts): each kind of movement, worked out by hand
// from mrr-movements.sql's rules, lands in its own fields; taking a share out undoes adding it; the estimated
// flag counts only for churn and contraction; amounts far beyond any real MRR survive the packing. That the
// shares of every user add up to the period a cold read computes is proven on both databases by
// kpi-incremental.test.ts.
import { describe, expect, it } from 'vitest';
import type { MovementRow } from '../../core/kpi/kpi-queries.ts';
import {
  addContribution,
  contributionOf,
  emptyMovements,
  type UserMovement,
} from '../../core/kpi/user-contribution.ts';

const zero = () => emptyMovements(new Date('2026-10-01T00:00:00Z'));

/** The fields one user's share sets, the others staying 0. */
function fieldsOf(movement: UserMovement): Partial<MovementRow> {
  const totals = zero();
  addContribution(totals, contributionOf(movement), 1);
  return Object.fromEntries(
    Object.entries(totals).filter(([key, value]) => key !== 'periodStart' && value !== 0),
  );
}

const user = (s: number, e: number, pledgedBefore = s > 0, estimated = 0): UserMovement => ({
  s,
  e,
  pledgedBefore,
  estimated,
});

describe('contributionOf / addContribution', () => {
  it('puts each kind of movement in its own fields', () => {
    expect(fieldsOf(user(0, 500, false))).toEqual({ newMrrCents: 500, newPledgers: 1 });
    expect(fieldsOf(user(0, 500, true))).toEqual({ reactivationMrrCents: 500, reactivatedPledgers: 1 });
    expect(fieldsOf(user(300, 800))).toEqual({ expansionMrrCents: 500 });
    expect(fieldsOf(user(800, 300))).toEqual({ contractionMrrCents: 500 });
    expect(fieldsOf(user(800, 0))).toEqual({ churnedMrrCents: 800, churnedPledgers: 1 });
  });

  it('gives nothing for a user whose MRR does not move', () => {
    expect(contributionOf(user(500, 500))).toBe(0);
    expect(contributionOf(user(0, 0, true, 2))).toBe(0);
    expect(fieldsOf(user(500, 500, true, 1))).toEqual({});
  });

  it('counts an estimated cancel only behind a churn or a contraction', () => {
    expect(fieldsOf(user(800, 0, true, 2))).toEqual({
      churnedMrrCents: 800,
      churnedPledgers: 1,
      estimatedChurnMovements: 1,
    });
    expect(fieldsOf(user(800, 300, true, 1))).toEqual({
      contractionMrrCents: 500,
      estimatedChurnMovements: 1,
    });
    expect(fieldsOf(user(300, 800, true, 1))).toEqual({ expansionMrrCents: 500 });
    expect(fieldsOf(user(0, 500, true, 1))).toEqual({ reactivationMrrCents: 500, reactivatedPledgers: 1 });
  });

  it('takes out exactly what it put in', () => {
    const totals = zero();
    const movements = [
      user(0, 500, false),
      user(0, 700, true),
      user(300, 800),
      user(800, 300, true, 1),
      user(800, 0, true, 3),
    ];
    for (const movement of movements) addContribution(totals, contributionOf(movement), 1);
    expect(totals).toMatchObject({
      newPledgers: 1,
      reactivatedPledgers: 1,
      churnedPledgers: 1,
      estimatedChurnMovements: 2,
    });
    for (const movement of movements) addContribution(totals, contributionOf(movement), -1);
    expect(totals).toEqual(zero());
  });

  it('keeps amounts far beyond any MRR exact, and refuses one it could not', () => {
    const huge = 2 ** 48 + 7;
    expect(fieldsOf(user(0, huge, false))).toEqual({ newMrrCents: huge, newPledgers: 1 });
    expect(fieldsOf(user(huge, 1, true, 1))).toEqual({
      contractionMrrCents: huge - 1,
      estimatedChurnMovements: 1,
    });
    expect(() => contributionOf(user(0, 2 ** 50, false))).toThrow(RangeError);
  });
});
