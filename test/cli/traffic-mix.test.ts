// The load generator's mix on its own, with a seeded source of numbers: the kinds come in their weights, the
// invalid share is honoured, a kind whose prerequisite is missing becomes the request that creates it, and
// amounts are whole cents in the API's range.
import { describe, expect, it } from 'vitest';
import {
  changedAmountCents,
  feasibleKind,
  pickInvalidVariant,
  pickKind,
  pledgeAmountCents,
  type Random,
  type RequestKind,
  validKinds,
  validWeights,
} from '../../cli/load/traffic-mix.ts';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function seeded(seed: number): Random {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('the traffic mix', () => {
  it('picks kinds in proportion to their weights and honours the invalid share', () => {
    const random = seeded(7);
    const draws = 100_000;
    const counts = new Map<RequestKind, number>();
    for (let i = 0; i < draws; i++) {
      const kind = pickKind(random, 0.1);
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
    }
    expect((counts.get('invalid') ?? 0) / draws).toBeCloseTo(0.1, 2);
    const total = validKinds.reduce((sum, kind) => sum + validWeights[kind], 0);
    for (const kind of validKinds) {
      const expected = 0.9 * (validWeights[kind] / total);
      expect(Math.abs((counts.get(kind) ?? 0) / draws - expected), kind).toBeLessThan(0.005);
    }
  });

  it('sends no invalid request at share 0 and only invalid ones at share 1', () => {
    const random = seeded(3);
    for (let i = 0; i < 1_000; i++) expect(pickKind(random, 0)).not.toBe('invalid');
    for (let i = 0; i < 1_000; i++) expect(pickKind(random, 1)).toBe('invalid');
  });

  it('turns a kind whose prerequisite is missing into the request that creates it', () => {
    expect(feasibleKind('cancelPledge', { users: 0, pledges: 0 })).toBe('register');
    expect(feasibleKind('changePledge', { users: 3, pledges: 0 })).toBe('pledge');
    expect(feasibleKind('login', { users: 0, pledges: 0 })).toBe('register');
    expect(feasibleKind('changePledge', { users: 3, pledges: 1 })).toBe('changePledge');
    expect(feasibleKind('getArtist', { users: 0, pledges: 0 })).toBe('getArtist');
  });

  it('draws whole-cent amounts within the API range, and a changed amount always differs', () => {
    const random = seeded(11);
    for (let i = 0; i < 5_000; i++) {
      const amount = pledgeAmountCents(random);
      expect(Number.isInteger(amount)).toBe(true);
      expect(amount).toBeGreaterThanOrEqual(1);
      expect(amount).toBeLessThanOrEqual(1_000_000);
      const changed = changedAmountCents(amount, random);
      expect(changed).not.toBe(amount);
      expect(Number.isInteger(changed) && changed >= 1 && changed <= 1_000_000).toBe(true);
    }
  });

  it('picks only invalid requests that need no token when the run has none', () => {
    const random = seeded(5);
    for (let i = 0; i < 1_000; i++) expect(pickInvalidVariant(random, false).needsToken).toBeFalsy();
  });
});
