// Opens the database a configuration names: embedded PGlite under the data directory, or PostgreSQL. Each
// driver is imported only when it is the one asked for: PGlite's WASM costs about half a second to load,
// which a command on PostgreSQL (and pg, one on PGlite) should never pay.
import { join } from 'node:path';
import type { DatabaseConfig } from '../config/database-config.ts';
import type { Db } from './types.ts';

export async function openDb(
  config: DatabaseConfig,
  applicationName?: string,
  embedded: { readonly thread?: 'main' | 'worker'; readonly initdbInThread?: boolean } = {},
): Promise<Db> {
  if (config.kind === 'postgres') {
    const { openPostgresDb } = await import('./postgres-db.ts');
    return openPostgresDb({
      url: config.url,
      pool: config.pool,
      ...(applicationName ? { applicationName } : {}),
    });
  }
  const { openPgliteDb } = await import('./pglite-db.ts');
  return openPgliteDb({
    dataDir: embeddedDataDir(config.dataDir),
    ...(applicationName ? { applicationName } : {}),
    ...(embedded.thread ? { thread: embedded.thread } : {}),
    ...(embedded.initdbInThread ? { initdbInThread: true } : {}),
  });
}

/** PGlite's files live in their own folder so that other state (tokens, …) can share PULSE_DATA_DIR. */
export function embeddedDataDir(dataDir: string): string {
  return dataDir.startsWith('memory://') ? dataDir : join(dataDir, 'pglite');
}
