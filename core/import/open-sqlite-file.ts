// Opens a SQLite file given to `pulse import-sqlite` and tells its shape: the current Pledgr app's
// (users.password, amounts in dollars: read-pledgr.ts) or DESIGN.md's (users.password_hash, amount_cents:
// read-sqlite.ts).
import { isPledgrShape, openPledgrDatabase, openSqliteBytes, type PledgrFile } from './read-pledgr.ts';
import { type LegacyFile, openLegacyFile } from './read-sqlite.ts';

export type SqliteImportFile =
  | { readonly shape: 'pledgr'; readonly file: PledgrFile }
  | { readonly shape: 'design'; readonly file: LegacyFile };

export async function openSqliteImportFile(path: string): Promise<SqliteImportFile> {
  const database = await openSqliteBytes(path);
  let pledgr = false;
  try {
    pledgr = isPledgrShape(database, path);
    if (pledgr) return { shape: 'pledgr', file: await openPledgrDatabase(database, path) };
  } catch (error) {
    database.close();
    throw error;
  }
  database.close();
  // DESIGN.md's shape keeps its own reader (and its messages naming what is missing).
  return { shape: 'design', file: await openLegacyFile(path) };
}
