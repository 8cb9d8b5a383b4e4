// Reads a legacy Pledgr SQLite file with sql.js (SQLite in WASM, no native module): checks that it is a
// SQLite database holding the pledge tables and their columns, counts rows and iterates them in id order.
import { readFile } from 'node:fs/promises';
import initSqlJs, { type Database, type SqlValue as SqliteValue } from 'sql.js';
import { UsageError } from '../errors.ts';
import { LegacyFileError, SqliteReader } from './sqlite-reader.ts';

export type { SqliteValue };

/** The tables an import reads, in dependency order, and the columns each must have (extra ones are ignored). */
export const legacyTables = {
  users: ['id', 'email', 'password_hash', 'name', 'created_at'],
  artists: ['id', 'user_id', 'name', 'created_at'],
  pledges: ['id', 'user_id', 'artist_id', 'amount_cents', 'created_at', 'cancelled_at'],
} as const;

export type LegacyTable = keyof typeof legacyTables;
export const legacyTableOrder: readonly LegacyTable[] = ['users', 'artists', 'pledges'];

/** One source row: column name → the value SQLite stored (number, text, blob or NULL). */
export type SourceRow = Readonly<Record<string, SqliteValue>>;

export { LegacyFileError } from './sqlite-reader.ts';

export interface LegacyFile {
  readonly path: string;
  count(table: LegacyTable): number;
  /** The rows of a table in ascending id order. */
  rows(table: LegacyTable): Generator<SourceRow>;
  /** Just the ids of a table (for collision checks before the import writes anything). */
  ids(table: LegacyTable): SqliteValue[];
  close(): void;
}

const sqliteHeader = 'SQLite format 3\0';
let sqlJs: ReturnType<typeof initSqlJs> | undefined;

export async function openLegacyFile(path: string): Promise<LegacyFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code;
    throw new UsageError(`cannot read the SQLite file ${path}: ${reason ?? 'unreadable'}`);
  }
  if (bytes.subarray(0, 16).toString('latin1') !== sqliteHeader) {
    throw new LegacyFileError(`${path} is not a SQLite database (no SQLite header)`);
  }
  sqlJs ??= initSqlJs();
  const database = new (await sqlJs).Database(bytes);
  try {
    checkSchema(database, path);
  } catch (error) {
    database.close();
    throw error;
  }
  return new SqlJsLegacyFile(database, path);
}

function checkSchema(database: Database, path: string): void {
  for (const table of legacyTableOrder) {
    let present: Set<string>;
    try {
      const info = database.exec('SELECT name FROM pragma_table_info(?)', [table]);
      present = new Set((info[0]?.values ?? []).map((row) => String(row[0])));
    } catch (error) {
      throw new LegacyFileError(`${path} cannot be read as SQLite: ${(error as Error).message}`);
    }
    if (present.size === 0) throw new LegacyFileError(`${path} has no table "${table}"`);
    const missing = legacyTables[table].filter((column) => !present.has(column));
    if (missing.length > 0) {
      throw new LegacyFileError(`${path}: table "${table}" lacks the column(s) ${missing.join(', ')}`);
    }
  }
}

class SqlJsLegacyFile extends SqliteReader implements LegacyFile {
  count(table: LegacyTable): number {
    // Table names come from legacyTables (constants), never from input.
    return Number(this.all(`SELECT count(*) FROM "${table}"`)[0]?.[0] ?? 0);
  }

  *rows(table: LegacyTable): Generator<SourceRow> {
    const columns = legacyTables[table];
    const statement = this.prepare(
      `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${table}" ORDER BY "id"`,
    );
    try {
      while (this.step(statement)) {
        const values = statement.get();
        // A plain loop: Object.fromEntries per row was the import's largest single cost.
        const row: Record<string, SqliteValue> = {};
        for (let i = 0; i < columns.length; i++) row[columns[i] as string] = values[i] ?? null;
        yield row;
      }
    } finally {
      statement.free();
    }
  }

  ids(table: LegacyTable): SqliteValue[] {
    return this.all(`SELECT "id" FROM "${table}" ORDER BY "id"`).map((row) => row[0] ?? null);
  }
}
