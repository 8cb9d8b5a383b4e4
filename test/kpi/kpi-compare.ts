// Comparison helpers shared by the KPI suites: pick the hand-worked fields of a period, let the six
// non-integer figures differ from the oracle by float rounding only (an engine may compute a/b in numeric
// or in a different order and land a last bit away), and check the shape, integer and MRR-identity rules.
import { expect } from 'vitest';
import {
  type KpiPeriod,
  kpiPeriodAddedFields,
  kpiPeriodFields,
  kpiPeriodOutputFields,
} from '../../core/kpi/types.ts';

/** The fields that are numbers but not integers: rates and per-user averages (null when undefined). */
export const fractionalFields = [
  'logoChurnRate',
  'grossMrrChurnRate',
  'netMrrRetention',
  'conversionRate',
  'arpuCents',
  'arppuCents',
] as const satisfies readonly (keyof KpiPeriod)[];

/** The counts and cents: integers (DESIGN.md "Counts and cents are integers"), the added count too. */
export const integerFields = kpiPeriodOutputFields.filter(
  (field) =>
    field !== 'periodStart' &&
    field !== 'periodEnd' &&
    field !== 'conversionMature' &&
    !(fractionalFields as readonly string[]).includes(field),
);

const relativeTolerance = 1e-12;

/** The fields of `period` that `expected` names, with values as they are. */
export function pickFields(period: KpiPeriod, expected: Partial<KpiPeriod>): Partial<KpiPeriod> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) picked[key] = (period as unknown as Record<string, unknown>)[key];
  return picked as Partial<KpiPeriod>;
}

/**
 * `actual` with each fractional field replaced by the expected value when the two are numbers within a
 * relative 1e-12 of each other, so that a `toEqual` against `expected` fails only on real differences (and
 * then shows both values). Everything else is left to exact comparison.
 */
export function forgivingRounding<T extends Partial<KpiPeriod>>(actual: T, expected: Partial<KpiPeriod>): T {
  const result: Record<string, unknown> = { ...actual };
  for (const field of fractionalFields) {
    const a = actual[field];
    const e = expected[field];
    if (typeof a === 'number' && typeof e === 'number') {
      if (Math.abs(a - e) <= relativeTolerance * Math.max(1, Math.abs(e))) result[field] = e;
    }
  }
  return result as T;
}

/**
 * Exactly the DESIGN.md fields in their order, then exactly the added ones (none missing, none unknown),
 * integer counts and cents, and mrrEnd = mrrStart + movements.
 */
export function expectWellFormedPeriod(period: KpiPeriod, label: string): void {
  const keys = Object.keys(period);
  expect(keys.slice(0, kpiPeriodFields.length), `${label}: the DESIGN.md fields, in order`).toEqual([
    ...kpiPeriodFields,
  ]);
  expect(keys.slice(kpiPeriodFields.length), `${label}: the added fields`).toEqual([...kpiPeriodAddedFields]);
  for (const field of integerFields) {
    expect(Number.isInteger(period[field]), `${label}: ${field} = ${period[field]} is an integer`).toBe(true);
  }
  for (const field of fractionalFields) {
    const value = period[field];
    expect(value === null || Number.isFinite(value), `${label}: ${field} = ${value} is null or finite`).toBe(
      true,
    );
  }
  expect(typeof period.conversionMature, `${label}: conversionMature`).toBe('boolean');
  expect(
    period.mrrStartCents +
      period.newMrrCents +
      period.reactivationMrrCents +
      period.expansionMrrCents -
      period.contractionMrrCents -
      period.churnedMrrCents,
    `${label}: mrrEnd = mrrStart + new + reactivation + expansion − contraction − churned`,
  ).toBe(period.mrrEndCents);
}
