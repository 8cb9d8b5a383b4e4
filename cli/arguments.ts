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
