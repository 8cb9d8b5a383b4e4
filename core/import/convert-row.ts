// Converts one legacy SQLite row into the values PostgreSQL gets, checking it on the way: ids, required
// values, email, amount_cents (whole cents only), timestamps, cancelled_at >= created_at, unique ids and
// foreign keys that resolve within the file. A bad row throws an ImportRowError naming table, row id and
// column, so that the whole import is rolled back with a message a person can act on.
import type { SqlValue } from '../db/query.ts';
import type { LegacyTable, SourceRow, SqliteValue } from './read-sqlite.ts';
import { parseLegacyTimestamp, TimestampError } from './timestamps.ts';

export class ImportRowError extends Error {
  override readonly name = 'ImportRowError';
  constructor(
    readonly table: LegacyTable,
    /** The row's id as the file gives it (or its position when the id itself is unusable). */
    readonly rowId: string,
    readonly column: string | null,
    readonly problem: string,
  ) {
    super(`${table} row id ${rowId}: ${column ? `${column}: ` : ''}${problem}`);
  }
}

/** Ids seen so far, per table: duplicates are refused and foreign keys must point at an earlier table's ids. */
export class ImportedIds {
  readonly users = new Set<number>();
  readonly artists = new Set<number>();
  readonly pledges = new Set<number>();
  /** email → the id of the file's user holding it (UNIQUE in PostgreSQL; caught here to name the row). */
  readonly emails = new Map<string, number>();
}

/** A problem with one value; `convertRow` turns it into an ImportRowError. */
class ValueError extends Error {}

/** The PostgreSQL columns each table is written with (the same names as in the file). */
export const targetColumns = {
  users: ['id', 'email', 'password_hash', 'name', 'created_at'],
  artists: ['id', 'user_id', 'name', 'created_at'],
  pledges: ['id', 'user_id', 'artist_id', 'amount_cents', 'created_at', 'cancelled_at'],
} as const satisfies Record<LegacyTable, readonly string[]>;

const maxInteger = 2_147_483_647; // amount_cents is a PostgreSQL integer

export function convertRow(
  table: LegacyTable,
  row: SourceRow,
  position: number,
  ids: ImportedIds,
): SqlValue[] {
  let column = 'id';
  const rowId = describeId(row.id ?? null, position);
  const field = <T>(name: string, convert: (value: SqliteValue) => T): T => {
    column = name;
    return convert(row[name] ?? null);
  };
  try {
    const id = field('id', positiveId);
    if (ids[table].has(id)) throw new ValueError('duplicate id in the file');
    column = '';
    let values: SqlValue[];
    if (table === 'users') {
      values = [
        id,
        field('email', (v) => uniqueEmail(email(v), ids.emails)),
        field('password_hash', requiredText),
        field('name', optionalText),
        field('created_at', requiredTimestamp),
      ];
    } else if (table === 'artists') {
      const owner = field('user_id', (v) =>
        v === null ? null : reference(positiveId(v), ids.users, 'users'),
      );
      values = [id, owner, field('name', requiredText), field('created_at', requiredTimestamp)];
    } else {
      const userId = field('user_id', (v) => reference(positiveId(v), ids.users, 'users'));
      const artistId = field('artist_id', (v) => reference(positiveId(v), ids.artists, 'artists'));
      const amount = field('amount_cents', amountCents);
      const created = field('created_at', requiredTimestamp);
      const cancelled = field('cancelled_at', (v) => (v === null ? null : timestamp(v)));
      if (cancelled !== null && cancelled < created) {
        column = 'cancelled_at';
        throw new ValueError(`${cancelled} is before created_at ${created}`);
      }
      values = [id, userId, artistId, amount, created, cancelled];
    }
    ids[table].add(id);
    if (table === 'users') ids.emails.set(values[1] as string, id);
    return values;
  } catch (error) {
    if (error instanceof ValueError || error instanceof TimestampError) {
      throw new ImportRowError(table, rowId, column || null, error.message);
    }
    throw error;
  }
}

function describeId(value: SqliteValue, position: number): string {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{1,20}$/.test(value)))
    return String(value);
  return `? (row ${position} in id order)`;
}

function positiveId(value: SqliteValue): number {
  if (value === null) throw new ValueError('missing (NULL)');
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1) {
    throw new ValueError(`${show(value)} is not a positive whole number`);
  }
  return number;
}

function reference(id: number, known: ReadonlySet<number>, table: 'users' | 'artists'): number {
  if (!known.has(id)) throw new ValueError(`refers to ${table} id ${id}, which the file does not have`);
  return id;
}

function email(value: SqliteValue): string {
  const text = requiredText(value);
  if (text.trim() === '') throw new ValueError('is empty');
  return text;
}

function uniqueEmail(address: string, seen: ReadonlyMap<string, number>): string {
  const holder = seen.get(address);
  if (holder !== undefined) throw new ValueError(`same email as users row id ${holder}`);
  return address;
}

function requiredText(value: SqliteValue): string {
  if (value === null) throw new ValueError('missing (NULL)');
  if (typeof value !== 'string') throw new ValueError(`expected text, got ${show(value)}`);
  return value;
}

function optionalText(value: SqliteValue): string | null {
  if (value === null) return null;
  if (typeof value === 'number') return String(value);
  return requiredText(value);
}

/** Whole cents only: 500, 500.0, '500' and '5.00' (= 5 cents) are accepted; 5.5 or '5.50' are refused. */
function amountCents(value: SqliteValue): number {
  if (value === null) throw new ValueError('missing (NULL)');
  const number = typeof value === 'string' && /^[+-]?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) {
    throw new ValueError(`${show(value)} is not a number of cents`);
  }
  if (!Number.isInteger(number)) {
    throw new ValueError(`${show(value)} has fractional cents; amounts must be whole cents`);
  }
  if (number < 1) throw new ValueError(`${show(value)} is not positive`);
  if (number > maxInteger) throw new ValueError(`${show(value)} is larger than ${maxInteger}`);
  return number;
}

function requiredTimestamp(value: SqliteValue): string {
  if (value === null) throw new ValueError('missing (NULL)');
  return timestamp(value);
}

function timestamp(value: NonNullable<SqliteValue>): string {
  if (value instanceof Uint8Array) throw new ValueError('expected a timestamp, got a blob');
  return parseLegacyTimestamp(value);
}

function show(value: SqliteValue): string {
  if (value instanceof Uint8Array) return 'a blob';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  return String(value);
}
