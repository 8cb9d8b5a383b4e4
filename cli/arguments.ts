// Parsers for flag values: each rejects a bad value with a message commander prints on one line.
import { InvalidArgumentError } from 'commander';

export function wholeNumberFlag(min: number, max: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return Number(text);
  };
}

/** An ISO-8601 date (`2026-11-01`, midnight UTC) or date-time with a zone (`2026-11-01T12:00:00Z`). */
export function instantFlag(text: string): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const value = new Date(dateOnly ? `${text}T00:00:00Z` : text);
  if ((!dateOnly && !dateTime) || Number.isNaN(value.getTime())) {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD or a date-time like 2026-11-01T12:00:00Z.');
  }
  return value;
}

/** A duration in whole seconds, minutes or hours (`60s`, `5m`, `1h`; a bare number is seconds), in seconds. */
export function secondsFlag(min: number, max: number) {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600 };
  return (text: string): number => {
    const match = /^(\d+)([smh]?)$/.exec(text);
    const seconds = match ? Number(match[1]) * (units[match[2] || 's'] ?? 1) : Number.NaN;
    if (!(seconds >= min && seconds <= max)) {
      throw new InvalidArgumentError(`expected a duration such as 60s, 5m or 1h, from ${min} s to ${max} s.`);
    }
    return seconds;
  };
}
