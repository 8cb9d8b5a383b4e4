// Seed throughput: the same demo data (100,000 users, 24 months) written to PostgreSQL (COPY) and to the
// embedded PGlite (file-backed), each into a fresh database per run, median of three runs.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteDb } from '../core/db/pglite-db.ts';
import { openPostgresDb } from '../core/db/postgres-db.ts';
import type { Db } from '../core/db/types.ts';
import { migrate } from '../core/migrate.ts';
import { generateDemoData } from '../core/seed/generate.ts';
import { seedDemoData } from '../core/seed/seed-demo.ts';
import { createTempDatabase, probePostgres } from '../test/support/postgres-server.ts';
import {
  type Benchmark,
  describeSample,
  medianSeconds,
  ratio,
  type Sample,
  SkipBenchmark,
} from './harness.ts';

const options = {
  users: 100_000,
  months: 24,
  seed: 1,
  until: new Date('2026-11-01T00:00:00Z'),
  append: false,
};
const runs = 3;

interface Target {
  readonly db: Db;
  readonly cleanup: () => Promise<void>;
}

async function freshPostgres(): Promise<Target> {
  const temp = await createTempDatabase('pulse_bench');
  const db = openPostgresDb({
    url: temp.url,
    pool: { max: 4, idleTimeoutMillis: 10_000, connectionTimeoutMillis: 5_000 },
  });
  await migrate(db);
  return { db, cleanup: async () => (await db.close(), await temp.drop()) };
}

async function freshPglite(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'pulse-bench-'));
  const db = await openPgliteDb({ dataDir: dir });
  await migrate(db);
  return { db, cleanup: async () => (await db.close(), await rm(dir, { recursive: true, force: true })) };
}

async function measure(label: string, open: () => Promise<Target>, rows: number): Promise<Sample> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const seconds = await medianSeconds(
      runs,
      async () => {
        const target = await open();
        cleanups.push(target.cleanup);
        return target.db;
      },
      async (db) => void (await seedDemoData(db, options)),
    );
    return { label, seconds, units: rows };
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

export const seedBenchmark: Benchmark = {
  name: 'seed',
  async run() {
    const unavailable = await probePostgres();
    if (unavailable) throw new SkipBenchmark(unavailable);
    const data = generateDemoData(options);
    const rows = data.users.length + data.artists.length + data.pledges.length;
    const generation = await medianSeconds(
      runs,
      async () => undefined,
      async () => void generateDemoData(options),
    );
    const postgres = await measure('PostgreSQL', freshPostgres, rows);
    const pglite = await measure('PGlite', freshPglite, rows);
    return (
      `seed ${options.users.toLocaleString('en-US')} users / ${rows.toLocaleString('en-US')} rows ` +
      `(median of ${runs}): ${describeSample(postgres, 'rows')}, ${describeSample(pglite, 'rows')}; ` +
      `PostgreSQL is ${ratio(pglite, postgres)} PGlite's speed; in-memory generation alone ${generation.toFixed(2)} s`
    );
  },
};
