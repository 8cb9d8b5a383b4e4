// Parses the KPI request parameters shared by `GET /api/kpis` and `pulse kpis`, so both doors accept and
// refuse exactly the same input. Errors are ParameterErrors naming the parameter (as the caller spells it).
import { z } from 'zod';
import { ParameterError } from '../errors.ts';
import { countPeriods } from './periods.ts';
import type { KpiInterval } from './types.ts';

/** A request for more periods than this is refused before any query runs (≈ 3 years of days). */
export const maxPeriodsPerRequest = 1100;

export interface ParsedKpiRequest {
  readonly from: Date;
  readonly to: Date;
  readonly interval: KpiInterval;
  readonly asOf: Date;
}

export type RawKpiRequest = Partial<Record<'from' | 'to' | 'interval' | 'asOf', unknown>>;

/** How the caller names a parameter in messages: `from` for the API, `--from` for the CLI. */
export type ParameterLabel = (parameter: string) => string;

const day = z
  .string({ error: 'is required, as a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  // `2026-02-30` would parse as 2 March: a real date prints back as the text it came from.
  .refine((text) => isCalendarDate(text), 'is not a real calendar date')
  .transform((text) => new Date(`${text}T00:00:00Z`));

const isoInstant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'must be ISO-8601 with a time zone, e.g. 2026-11-01T00:00:00Z (or a date YYYY-MM-DD)',
  )
  .transform((text) => new Date(text.length === 10 ? `${text}T00:00:00Z` : text))
  .refine((date) => !Number.isNaN(date.getTime()), 'is not a real instant');

const schema = z.object({
  from: day,
  to: day,
  interval: z.enum(['day', 'week', 'month'], { error: 'must be one of day, week, month' }),
  asOf: isoInstant.optional(),
});

/** Throws the first issue of a failed parse as a ParameterError naming its parameter. */
function failOn(error: z.ZodError, label: ParameterLabel): never {
  const issue = error.issues[0];
  const parameter = String(issue?.path[0] ?? 'request');
  throw new ParameterError(parameter, `${label(parameter)} ${issue?.message ?? 'is invalid'}`);
}

export interface ParsedRange {
  readonly from: Date;
  readonly to: Date;
  readonly asOf: Date;
}

const rangeSchema = z.object({ from: day, to: day, asOf: isoInstant.optional() });

/** `from` and `to` days (and an optional asOf) for the per-artist and cohort views. */
export function parseRange(
  raw: Partial<Record<'from' | 'to' | 'asOf', unknown>>,
  label: ParameterLabel = (p) => p,
  now: () => Date = () => new Date(),
): ParsedRange {
  const result = rangeSchema.safeParse(raw);
  if (!result.success) failOn(result.error, label);
  const { from, to } = result.data;
  if (to <= from) throw new ParameterError('to', `${label('to')} must be after ${label('from')}`);
  return { from, to, asOf: result.data.asOf ?? now() };
}

/** An optional asOf alone (LTV). */
export function parseAsOf(
  raw: unknown,
  label: ParameterLabel = (p) => p,
  now: () => Date = () => new Date(),
): Date {
  if (raw === undefined) return now();
  const result = z.object({ asOf: isoInstant }).safeParse({ asOf: raw });
  if (!result.success) failOn(result.error, label);
  return result.data.asOf;
}

export function parseKpiRequest(
  raw: RawKpiRequest,
  label: ParameterLabel = (p) => p,
  now: () => Date = () => new Date(),
): ParsedKpiRequest {
  const result = schema.safeParse(raw);
  if (!result.success) failOn(result.error, label);
  const { from, to, interval } = result.data;
  if (to <= from) throw new ParameterError('to', `${label('to')} must be after ${label('from')}`);
  const count = countPeriods(from, to, interval);
  if (count > maxPeriodsPerRequest) {
    throw new ParameterError(
      'to',
      `${label('from')}..${label('to')} spans ${count} ${interval} periods; at most ${maxPeriodsPerRequest} per request: ` +
        'narrow the range or use a longer interval',
      'too_many_periods',
    );
  }
  return { from, to, interval, asOf: result.data.asOf ?? now() };
}

function isCalendarDate(text: string): boolean {
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}
