// Opens the database a configuration names: embedded PGlite under the data directory, or PostgreSQL.
import { join } from 'node:path';
import type { DatabaseConfig } from '../config/database-config.ts';
import { openPgliteDb } from './pglite-db.ts';
import { openPostgresDb } from './postgres-db.ts';
import type { Db } from './types.ts';

export async function openDb(config: DatabaseConfig, applicationName?: string): Promise<Db> {
  if (config.kind === 'postgres') {
    return openPostgresDb({
      url: config.url,
      pool: config.pool,
      ...(applicationName ? { applicationName } : {}),
    });
  }
  return openPgliteDb({
    dataDir: embeddedDataDir(config.dataDir),
    ...(applicationName ? { applicationName } : {}),
  });
}

/** PGlite's files live in their own folder so that other state (tokens, …) can share PULSE_DATA_DIR. */
export function embeddedDataDir(dataDir: string): string {
  return dataDir.startsWith('memory://') ? dataDir : join(dataDir, 'pglite');
}
