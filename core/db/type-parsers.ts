// Result normalisation shared by both drivers, so rows look the same whichever database answered:
// int8 (counts, ids, sums) → number, numeric → number, date → 'YYYY-MM-DD', timestamptz → Date.

/** PostgreSQL type OIDs that are parsed here rather than by the driver defaults. */
export const typeOids = { int8: 20, numeric: 1700, date: 1082 } as const;

export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`int8 value ${text} is beyond JavaScript's safe integer range`);
  }
  return value;
}

export function parseNumeric(text: string): number {
  return Number(text);
}

/** Dates stay calendar dates: turning them into a Date would shift them by the process time zone. */
export function parseDate(text: string): string {
  return text;
}

export const sharedParsers: Record<number, (text: string) => unknown> = {
  [typeOids.int8]: parseInt8,
  [typeOids.numeric]: parseNumeric,
  [typeOids.date]: parseDate,
};
