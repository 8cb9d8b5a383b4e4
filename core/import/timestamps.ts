// Legacy timestamps → one canonical UTC text, `YYYY-MM-DDTHH:MM:SS.ffffffZ`, that PostgreSQL reads as
// timestamptz and that sorts chronologically as plain text. Accepted inputs (what old Pledgr apps left):
// SQLite text `YYYY-MM-DD HH:MM:SS` (CURRENT_TIMESTAMP, UTC), ISO-8601 text (`T`, fractions, `Z`/±HH:MM;
// no zone = UTC, as in SQLite), and unix epoch seconds (integer, real, or digits stored as text).

/** A value that is not a timestamp; the caller adds the table, row id and column. */
export class TimestampError extends Error {
  override readonly name = 'TimestampError';
}

const textTimestamp =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const epochText = /^\d+(\.\d+)?$/;
/** Epoch seconds accepted: 1970-01-01 to 9999-12-31 (a larger value is usually milliseconds). */
const maxEpochSeconds = 253_402_300_800;
const endOfYear9999 = maxEpochSeconds * 1000;
/** 0000-01-01T00:00:00Z: toISOString() writes six-digit years outside 0000–9999. */
const firstInstant = -62_167_219_200_000;

export function parseLegacyTimestamp(value: number | string): string {
  if (typeof value === 'number') return fromEpochSeconds(value, value);
  const text = value.trim();
  if (epochText.test(text)) return fromEpochSeconds(Number(text), text);
  const match = textTimestamp.exec(text);
  if (!match) {
    throw new TimestampError(
      `"${shorten(value)}" is not a timestamp (expected YYYY-MM-DD HH:MM:SS in UTC, ISO-8601 or unix epoch seconds)`,
    );
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = match;
  const parts = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const [year, month, day, hour, minute, second] = parts;
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(wallClock);
  const valid =
    check.getUTCFullYear() === year &&
    check.getUTCMonth() === month - 1 &&
    check.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  if (!valid) throw new TimestampError(`"${shorten(value)}" is not a valid date and time`);
  const instant = new Date(wallClock - zoneOffsetMinutes(zone, value) * 60_000);
  return canonical(instant, Number(fraction.padEnd(6, '0')));
}

function fromEpochSeconds(seconds: number, shown: number | string): string {
  if (!Number.isFinite(seconds) || seconds < 0 || seconds >= maxEpochSeconds) {
    throw new TimestampError(
      `${shorten(String(shown))} is out of range for unix epoch seconds (1970 to 9999; milliseconds are not accepted)`,
    );
  }
  let whole = Math.floor(seconds);
  let micros = Math.round((seconds - whole) * 1_000_000);
  if (micros === 1_000_000) {
    whole += 1;
    micros = 0;
  }
  return canonical(new Date(whole * 1000), micros);
}

function zoneOffsetMinutes(zone: string | undefined, original: string): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const hours = Number(digits.slice(1, 3));
  const minutes = Number(digits.slice(3, 5));
  if (hours > 23 || minutes > 59)
    throw new TimestampError(`"${shorten(original)}" has an invalid zone offset`);
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** Whole seconds from the Date, sub-second digits from `micros` (microseconds, PostgreSQL's precision). */
function canonical(instant: Date, micros: number): string {
  const time = instant.getTime();
  if (!(time >= firstInstant && time < endOfYear9999)) {
    throw new TimestampError(`${instant.toISOString()} is outside the years 0000 to 9999`);
  }
  const iso = instant.toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z (whole seconds here)
  return `${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
