// Opens the configured database for one command and always closes it, even when the command fails.
import { openDb } from '../../core/db/open-db.ts';
import type { Db } from '../../core/db/types.ts';
import { type CliConfig, type CliFlags, loadCliConfig } from '../config.ts';

export async function withDb<T>(
  flags: CliFlags,
  work: (db: Db, config: CliConfig) => Promise<T>,
): Promise<T> {
  const config = loadCliConfig(process.env, flags);
  const db = await openDb(config.database, 'pulse-cli');
  try {
    return await work(db, config);
  } finally {
    await db.close();
  }
}

export function describeDb(db: Db): string {
  return db.kind === 'embedded' ? `embedded database (${db.location})` : `PostgreSQL (${db.location})`;
}
