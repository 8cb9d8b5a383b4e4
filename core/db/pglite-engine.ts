// The three calls Pulse makes of PGlite — a query (optionally fed a COPY blob), a script, close — behind one
// interface, so the embedded database can run on this thread (CLI commands, tests) or on a worker thread of
// its own (pglite-thread.ts: `pulse start`, where a long KPI query must not stall the pledge API's event loop).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sharedParsers } from './type-parsers.ts';

export interface PgliteEngine {
  /** Rows of one statement; `copyText` is the CSV a `COPY … FROM '/dev/blob'` reads. */
  query<R>(text: string, values: readonly unknown[], copyText?: string): Promise<R[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Whether `dataDir` holds no cluster yet: opening it runs initdb (PGlite's second WASM module). */
export function needsInitdb(dataDir: string | undefined): boolean {
  return dataDir !== undefined && !existsSync(join(dataDir, 'PG_VERSION'));
}

/** Creates the cluster and closes it: what a throw-away thread runs (pglite-thread.ts, initdbInThread). */
export async function initialiseCluster(dataDir: string): Promise<void> {
  const pglite = await PGlite.create(dataDir, { postgresqlconf: embeddedSettings });
  await pglite.close();
}

/**
 * Opens PGlite on this thread, in UTC (all KPI arithmetic is UTC, as on the PostgreSQL pool). On a new data
 * directory initdb runs here, and its WASM memory (~430 MB) stays with the process even after PGlite is
 * closed (measured: closing and reopening gave none of it back); long-running services therefore create the
 * cluster on a throw-away thread first (pglite-thread.ts, initdbInThread).
 */
export async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  const pglite = await PGlite.create(dataDir, { parsers: sharedParsers, postgresqlconf: embeddedSettings });
  await pglite.exec("SET TIME ZONE 'UTC'");
  return pglite;
}

/**
 * 32 MB of shared buffers instead of PGlite's 160: the demo's data (a few MB) fits many times over, and the
 * WASM heap stays ~50 MB smaller for the life of the process.
 */
export const embeddedSettings = ['shared_buffers=32MB'];

export function inProcessEngine(pglite: PGlite): PgliteEngine {
  return {
    async query<R>(text: string, values: readonly unknown[], copyText?: string) {
      const options = copyText === undefined ? undefined : { blob: new Blob([copyText]) };
      return (await pglite.query<R>(text, values as unknown[], options)).rows;
    },
    async exec(sql) {
      await pglite.exec(sql);
    },
    close: () => pglite.close(),
  };
}
