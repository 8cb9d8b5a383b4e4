// What both SQLite file readers (the DESIGN.md shape and the current Pledgr app's) share: a sql.js database
// read through three calls that turn any SQLite failure into a LegacyFileError naming the file.
import type { Database, SqlValue as SqliteValue, Statement } from 'sql.js';

/** The file is there but is not a usable legacy Pledgr database (not SQLite, corrupt, tables missing). */
export class LegacyFileError extends Error {
  override readonly name = 'LegacyFileError';
}

export class SqliteReader {
  constructor(
    protected readonly database: Database,
    readonly path: string,
  ) {}

  close(): void {
    this.database.close();
  }

  protected all(sql: string): SqliteValue[][] {
    try {
      return this.database.exec(sql)[0]?.values ?? [];
    } catch (error) {
      throw this.#unreadable(error);
    }
  }

  protected step(statement: Statement): boolean {
    try {
      return statement.step();
    } catch (error) {
      throw this.#unreadable(error);
    }
  }

  protected prepare(sql: string): Statement {
    try {
      return this.database.prepare(sql);
    } catch (error) {
      throw this.#unreadable(error);
    }
  }

  #unreadable(error: unknown): LegacyFileError {
    return new LegacyFileError(`${this.path} cannot be read: ${(error as Error).message}`);
  }
}
