// How numbers read on the dashboard: money from integer cents in the platform currency, ratios as
// percentages, durations in ms or s, bytes in MB. A missing value is "—" with the reason beside it (as a
// title), never a 0 or "NaN".
export interface Shown {
  readonly text: string;
  /** Why the value is missing (for a title/tooltip); undefined when a value is shown. */
  readonly reason?: string;
}

const dash = '—';

export function missing(reason: string): Shown {
  return { text: dash, reason };
}

export function formatCents(cents: number | null, currency: string, reason = 'no data'): Shown {
  if (cents === null || !Number.isFinite(cents)) return missing(reason);
  const whole = Number.isInteger(cents / 100);
  const text = new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: whole && Math.abs(cents) >= 100_000 ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(cents / 100);
  return { text };
}

/** A ratio (0.0345) as a percentage ("3.45 %"); `digits` decimals. */
export function formatRatio(ratio: number | null, reason = 'nothing to divide by', digits = 1): Shown {
  if (ratio === null || !Number.isFinite(ratio)) return missing(reason);
  return { text: `${(ratio * 100).toFixed(digits)} %` };
}

export function formatCount(count: number | null, reason = 'no data'): Shown {
  if (count === null || !Number.isFinite(count)) return missing(reason);
  return { text: new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(count) };
}

/** Seconds as ms below one second ("12.5 ms"), else seconds ("1.25 s"). */
export function formatSeconds(seconds: number | null, reason = 'no requests'): Shown {
  if (seconds === null || !Number.isFinite(seconds)) return missing(reason);
  if (seconds < 1) return { text: `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms` };
  return { text: `${seconds.toFixed(2)} s` };
}

/**
 * A time span in whole units, for "42 s ago" or "every 5 min": seconds under 2 min, minutes under 2 h, hours
 * under 2 days, then days (each rounded down: never fresher than it is).
 */
export function formatAge(seconds: number | null, reason = 'not yet'): Shown {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return missing(reason);
  if (seconds < 120) return { text: `${Math.floor(seconds)} s` };
  if (seconds < 7_200) return { text: `${Math.floor(seconds / 60)} min` };
  if (seconds < 172_800) return { text: `${Math.floor(seconds / 3_600)} h` };
  return { text: `${Math.floor(seconds / 86_400)} d` };
}

export function formatBytes(bytes: number | null, reason = 'no sample'): Shown {
  if (bytes === null || !Number.isFinite(bytes)) return missing(reason);
  return { text: `${(bytes / 1_048_576).toFixed(1)} MB` };
}

export function formatRate(perSecond: number | null, reason = 'no sample yet'): Shown {
  if (perSecond === null || !Number.isFinite(perSecond)) return missing(reason);
  return { text: `${perSecond.toFixed(perSecond < 10 ? 2 : 1)}/s` };
}

/** Change against the previous period as a signed percentage ("+4.2 %"); "—" when there is no base. */
export function formatChange(current: number | null, previous: number | null): Shown {
  if (current === null || previous === null || previous === 0) return missing('no previous value to compare');
  const change = (current - previous) / Math.abs(previous);
  return { text: `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)} %` };
}

/** A value of a KPI by its catalog unit. */
export function formatByUnit(
  value: number | boolean | null,
  unit: 'count' | 'cents' | 'ratio' | 'boolean',
  currency: string,
): Shown {
  if (typeof value === 'boolean') return { text: value ? 'yes' : 'no' };
  if (unit === 'cents') return formatCents(value, currency);
  if (unit === 'ratio') return formatRatio(value);
  return formatCount(value);
}

/** Change of a ratio against the previous period in percentage points ("+1.2 pp"); "—" when either is missing. */
export function formatPointChange(current: number | null, previous: number | null): Shown {
  if (current === null || previous === null) return missing('no previous value to compare');
  const points = (current - previous) * 100;
  return { text: `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} pp` };
}
