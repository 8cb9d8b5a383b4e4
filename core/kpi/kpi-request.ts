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

/**
 * Years outside 1970–9998 are refused: no pledge predates the epoch, PostgreSQL has no year 0, and a period
 * boundary past year 9999 (one interval after `to`) cannot be sent to the database (it answered 500).
 */
const earliestDay = '1970-01-01';
const latestDay = '9998-12-31';
const supportedYearsMessage = `must be between ${earliestDay} and ${latestDay}`;

const day = z
  .string({ error: 'is required, as a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  // `2026-02-30` would parse as 2 March: a real date prints back as the text it came from.
  .refine((text) => isCalendarDate(text), 'is not a real calendar date')
  .refine((text) => inSupportedYears(text), supportedYearsMessage)
  .transform((text) => new Date(`${text}T00:00:00Z`));

const isoInstant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'must be ISO-8601 with a time zone, e.g. 2026-11-01T00:00:00Z (or a date YYYY-MM-DD)',
  )
  // `2026-02-30T00:00Z` and `T24:00` would roll over into another day: refused like a bad date.
  .refine((text) => isCalendarDate(text.slice(0, 10)) && isClockTime(text), 'is not a real instant')
  .refine((text) => inSupportedYears(text), supportedYearsMessage)
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

/** The fields of the per-artist and cohort views: `from` and `to` days and an optional asOf. */
export const rangeFields = { from: day, to: day, asOf: isoInstant.optional() };
const rangeSchema = z.object(rangeFields);

/** The rule across the range's fields (to after from), and asOf defaulting to now. */
export function checkRange(
  { from, to, asOf }: z.output<typeof rangeSchema>,
  label: ParameterLabel = (p) => p,
  now: () => Date = () => new Date(),
): ParsedRange {
  if (to <= from) throw new ParameterError('to', `${label('to')} must be after ${label('from')}`);
  return { from, to, asOf: asOf ?? now() };
}

/** `from` and `to` days (and an optional asOf) for the per-artist and cohort views. */
export function parseRange(
  raw: Partial<Record<'from' | 'to' | 'asOf', unknown>>,
  label: ParameterLabel = (p) => p,
  now: () => Date = () => new Date(),
): ParsedRange {
  const result = rangeSchema.safeParse(raw);
  if (!result.success) failOn(result.error, label);
  return checkRange(result.data, label, now);
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
  return checkKpiRequest(result.data, label, now);
}

/** GET /api/kpis's query (for parseQuery): the same fields and rules as the CLI's flags. */
export const kpiRequestQuery = schema.transform((fields) => checkKpiRequest(fields));

/** The rules across the request's fields (to after from, at most maxPeriodsPerRequest), asOf defaulting to now. */
function checkKpiRequest(
  { from, to, interval, asOf }: z.output<typeof schema>,
  label: ParameterLabel = (p) => p,
  now: () => Date = () => new Date(),
): ParsedKpiRequest {
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
  return { from, to, interval, asOf: asOf ?? now() };
}

function inSupportedYears(text: string): boolean {
  const day = text.slice(0, 10);
  return day >= earliestDay && day <= latestDay;
}

function isClockTime(text: string): boolean {
  const time = /T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  return !time || (Number(time[1]) <= 23 && Number(time[2]) <= 59 && Number(time[3] ?? 0) <= 59);
}

function isCalendarDate(text: string): boolean {
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === text;
}
