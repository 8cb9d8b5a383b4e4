// Reads the SQLite file of the CURRENT Pledgr app (LEGACY-PLEDGR.md: users.password, isCreator, amounts in
// REAL dollars, pledges.status, pledge_levels) with sql.js. Rows are streamed with a prepared statement's
// step(), one at a time, never collected: the file itself sits in sql.js's WASM memory, its rows do not sit
// in JavaScript's. `users` is required; the other tables may be missing from a file (then they have no rows).
// The bytes are a consistent snapshot (file-snapshot.ts): the old app may keep writing the file meanwhile.
import { stat } from 'node:fs/promises';
import initSqlJs, { type Database, type SqlValue as SqliteValue } from 'sql.js';
import { UsageError } from '../errors.ts';
import { readConsistentSnapshot } from './file-snapshot.ts';
import { LegacyFileError, SqliteReader } from './sqlite-reader.ts';

/** The tables an import reads, in dependency order, and the columns it reads from each. */
export const pledgrTables = {
  users: ['id', 'email', 'password', 'name', 'isCreator', 'created_at'],
  artists: ['id', 'user_id', 'name', 'created_at'],
  pledge_levels: ['id', 'artist_id', 'name', 'amount', 'description', 'benefits'],
  pledges: ['id', 'user_id', 'artist_id', 'level_id', 'amount', 'status', 'created_at'],
} as const;

export type PledgrTable = keyof typeof pledgrTables;
export const pledgrTableOrder: readonly PledgrTable[] = ['users', 'artists', 'pledge_levels', 'pledges'];

/** One row, its values in the order of `pledgrTables[table]`. */
export type PledgrRow = readonly SqliteValue[];

export interface CaseVariantEmail {
  readonly id: number;
  readonly email: string;
  /** trim + toLowerCase, as the pledge API's login normalises an email. */
  readonly key: string;
}

export interface PledgrFile {
  readonly shape: 'pledgr';
  readonly path: string;
  /** The latest modification time of the file (and its -wal, if any): no cancel in it is later. */
  readonly modifiedAt: Date;
  readonly tablesPresent: ReadonlySet<PledgrTable>;
  /** Rows with an id above `afterId` (all rows by default). */
  count(table: PledgrTable, afterId?: number): number;
  /** Rows with an id above `afterId` (all rows by default), in id order. */
  rows(table: PledgrTable, afterId?: number): Generator<PledgrRow>;
  /** Ids of the pledges up to `upToId` whose status says they ended ('cancelled' or 'completed'), ascending. */
  endedPledgeIds(upToId: number): number[];
  /** Users up to `upToId` with the two mutable facts the import keeps: name and creator flag, by id. */
  userFacts(upToId: number): Generator<PledgrRow>;
  /** Users whose email equals another user's once lower-cased, ordered by key then id (usually few). */
  caseVariantEmails(): CaseVariantEmail[];
  /** Artists whose `pledged`/`supporters` counters differ from their active pledges in the file. */
  counterMismatches(): number;
  close(): void;
}

let sqlJs: ReturnType<typeof initSqlJs> | undefined;

/** The file's bytes and an open sql.js database, after the SQLite header check. */
export async function openSqliteBytes(path: string): Promise<Database> {
  let bytes: Uint8Array;
  try {
    bytes = (await readConsistentSnapshot(path)).bytes;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code;
    throw new UsageError(`cannot read the SQLite file ${path}: ${reason ?? 'unreadable'}`);
  }
  if (Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== 'SQLite format 3\0') {
    throw new LegacyFileError(`${path} is not a SQLite database (no SQLite header)`);
  }
  sqlJs ??= initSqlJs();
  return new (await sqlJs).Database(bytes);
}

export function columnsOf(database: Database, path: string, table: string): Set<string> {
  try {
    const info = database.exec('SELECT name FROM pragma_table_info(?)', [table]);
    return new Set((info[0]?.values ?? []).map((row) => String(row[0])));
  } catch (error) {
    throw new LegacyFileError(`${path} cannot be read as SQLite: ${(error as Error).message}`);
  }
}

/** True when `users` has the current app's `password` column (and not DESIGN.md's `password_hash`). */
export function isPledgrShape(database: Database, path: string): boolean {
  const users = columnsOf(database, path, 'users');
  return users.has('password') && !users.has('password_hash');
}

export async function openPledgrDatabase(database: Database, path: string): Promise<PledgrFile> {
  const present = new Set<PledgrTable>();
  for (const table of pledgrTableOrder) {
    const columns = columnsOf(database, path, table);
    if (columns.size === 0) {
      if (table === 'users') throw new LegacyFileError(`${path} has no table "users"`);
      continue;
    }
    const missing = pledgrTables[table].filter((column) => !columns.has(column));
    if (missing.length > 0) {
      throw new LegacyFileError(`${path}: table "${table}" lacks the column(s) ${missing.join(', ')}`);
    }
    present.add(table);
  }
  if (present.has('pledges') && !present.has('artists')) {
    throw new LegacyFileError(`${path} has pledges but no table "artists"`);
  }
  let modified = (await stat(path)).mtimeMs;
  const wal = await stat(`${path}-wal`).catch(() => null);
  if (wal) modified = Math.max(modified, wal.mtimeMs);
  // The WASM copy gets a JavaScript lower-case, the same as the pledge API's (SQLite's lower() is ASCII-only).
  database.create_function('pulse_email_key', (email: SqliteValue) =>
    typeof email === 'string' ? email.trim().toLowerCase() : null,
  );
  // Never later than now (a clock skew or a touched file must not put a cancel in the future).
  return new SqlJsPledgrFile(database, path, new Date(Math.min(Math.floor(modified), Date.now())), present);
}

/**
 * The filter for rows after an id: none for the first read (so that rows whose id is NULL or text, bad rows of a
 * hand-made file, are read and reported), else a rowid range (text sorts above every number in SQLite).
 */
function after(afterId: number): string {
  return afterId > 0 ? ' WHERE "id" > ?' : '';
}

class SqlJsPledgrFile extends SqliteReader implements PledgrFile {
  readonly shape = 'pledgr' as const;
  constructor(
    database: Database,
    path: string,
    readonly modifiedAt: Date,
    readonly tablesPresent: ReadonlySet<PledgrTable>,
  ) {
    super(database, path);
  }

  count(table: PledgrTable, afterId = 0): number {
    if (!this.tablesPresent.has(table)) return 0;
    const [count] = this.#stream(`SELECT count(*) FROM "${table}"${after(afterId)}`, afterId);
    return Number(count?.[0] ?? 0);
  }

  *rows(table: PledgrTable, afterId = 0): Generator<PledgrRow> {
    if (!this.tablesPresent.has(table)) return;
    // Table and column names are constants (pledgrTables), never input.
    const columns = pledgrTables[table].map((c) => `"${c}"`).join(', ');
    yield* this.#stream(`SELECT ${columns} FROM "${table}"${after(afterId)} ORDER BY "id"`, afterId);
  }

  endedPledgeIds(upToId: number): number[] {
    if (!this.tablesPresent.has('pledges')) return [];
    const ids: number[] = [];
    const sql = `SELECT "id" FROM pledges WHERE "id" <= ? AND status IN ('cancelled', 'completed') ORDER BY "id"`;
    for (const [id] of this.#stream(sql, upToId)) if (typeof id === 'number') ids.push(id);
    return ids;
  }

  userFacts(upToId: number): Generator<PledgrRow> {
    return this.#stream('SELECT "id", "name", "isCreator" FROM users WHERE "id" <= ? ORDER BY "id"', upToId);
  }

  /** Rows of `sql`, whose one `?` (if any) is `id`. */
  *#stream(sql: string, id: number): Generator<PledgrRow> {
    const statement = this.prepare(sql);
    try {
      if (sql.includes('?')) statement.bind([id]);
      while (this.step(statement)) yield statement.get();
    } finally {
      statement.free();
    }
  }

  caseVariantEmails(): CaseVariantEmail[] {
    return this.all(
      `SELECT id, email, pulse_email_key(email) AS key FROM users
        WHERE pulse_email_key(email) IN (SELECT pulse_email_key(email) FROM users WHERE typeof(email) = 'text'
                                          GROUP BY 1 HAVING count(*) > 1)
        ORDER BY key, id`,
    ).map(([id, email, key]) => ({ id: Number(id), email: String(email), key: String(key) }));
  }

  counterMismatches(): number {
    if (!this.tablesPresent.has('artists')) return 0;
    const active = this.tablesPresent.has('pledges')
      ? `SELECT artist_id, total(amount) AS dollars, count(*) AS n FROM pledges
          WHERE status = 'active' AND typeof(amount) IN ('integer', 'real') GROUP BY artist_id`
      : 'SELECT NULL AS artist_id, 0 AS dollars, 0 AS n WHERE 0';
    return Number(
      this.all(
        `SELECT count(*) FROM artists a LEFT JOIN (${active}) p ON p.artist_id = a.id
          WHERE abs(coalesce(a.pledged, 0) - coalesce(p.dollars, 0)) >= 0.005
             OR coalesce(a.supporters, 0) <> coalesce(p.n, 0)`,
      )[0]?.[0] ?? 0,
    );
  }
}
