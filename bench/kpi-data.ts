// Two shapes of benchmark data, because the KPI engine's cost depends on the shape: (1) the generator's
// (below: growing registrations, pledges soon after registering, constant cancel hazard) and (2) a dense one
// (loadDenseData: ten pledges per user spread evenly from registration to the end of the range, 45 %
// cancelled later), where almost every user moves in almost every month.
//
// The generator's shape at the scale the KPI issue names: 100,000 users and 1,000,000 pledges over 24 months,
// generated inside PostgreSQL (generate_series, seeded) because a million rows through the demo model's
// JS path would time the loader rather than the KPIs. Registrations grow over time; most pledges come soon
// after registering; popularity and amounts are skewed; a pledge is cancelled with a constant hazard of about
// 3.5% a month (mean lifetime ≈ 870 days), or stays active past the end.
import { defineQuery } from '../core/db/query.ts';
import type { Db } from '../core/db/types.ts';

export const benchScale = { users: 100_000, artists: 2_000, pledges: 1_000_000 } as const;
export const benchStart = new Date('2024-11-01T00:00:00Z');
export const benchEnd = new Date('2026-11-01T00:00:00Z');

const setSeed = defineQuery('bench.setSeed', 'SELECT setseed(0.42)::text AS seeded');
const insertUsers = defineQuery<{ users: number; start: Date; end: Date }, never>(
  'bench.insertUsers',
  `INSERT INTO users (email, password_hash, name, created_at)
   SELECT 'bench' || i || '@bench.pledgr.test', 'x', NULL,
          :start::timestamptz + (:end::timestamptz - :start::timestamptz) * sqrt(random())
     FROM generate_series(1::bigint, :users::bigint) AS i`,
);
const insertArtists = defineQuery<{ artists: number; start: Date }, never>(
  'bench.insertArtists',
  `INSERT INTO artists (name, created_at)
   SELECT 'Artist ' || i, :start::timestamptz FROM generate_series(1::bigint, :artists::bigint) AS i`,
);
const insertPledges = defineQuery<{ pledges: number; users: number; artists: number; end: Date }, never>(
  'bench.insertPledges',
  `INSERT INTO pledges (user_id, artist_id, amount_cents, created_at, cancelled_at)
   SELECT p.user_id, p.artist_id, p.amount_cents, p.created_at,
          nullif(least(p.created_at + interval '1 day' * (-ln(1 - random()) * 870), :end::timestamptz),
                 :end::timestamptz)
     FROM (SELECT u.id AS user_id,
                  1 + floor(:artists * random() ^ 3)::bigint AS artist_id,
                  (ARRAY[100, 300, 300, 500, 500, 1000, 1000, 2000, 5000, 10000])[1 + floor(random() * 10)::int] AS amount_cents,
                  u.created_at + (:end::timestamptz - u.created_at) * random() ^ 3 AS created_at
             -- The user is drawn per row in its own subquery: a random() in the join condition would be
             -- evaluated once and give every pledge to the same user.
             FROM (SELECT 1 + floor(random() * :users)::bigint AS user_id
                     FROM generate_series(1::bigint, :pledges::bigint)) AS draws
             JOIN users u ON u.id = draws.user_id) p`,
);

const distinctPledgers = defineQuery<Record<string, never>, { users: number }>(
  'bench.distinctPledgers',
  'SELECT count(DISTINCT user_id) AS users FROM pledges',
);

/** The generator's shape, at the scale unless told otherwise. */
export async function loadBenchData(
  db: Db,
  scale: { users: number; pledges: number } = benchScale,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(setSeed, {});
    await tx.query(insertUsers, { users: scale.users, start: benchStart, end: benchEnd });
    await tx.query(insertArtists, { artists: benchScale.artists, start: benchStart });
    await tx.query(insertPledges, { ...scale, artists: benchScale.artists, end: benchEnd });
  });
  await settle(db);
  // Guard against a degenerate data set (it happened once): pledges must spread over most users.
  const [spread] = await db.query(distinctPledgers, {});
  if ((spread?.users ?? 0) < scale.users * 0.9) {
    throw new Error(`benchmark data is degenerate: only ${spread?.users} users have pledges`);
  }
}

/**
 * Statistics and the visibility map, as a table has them in steady state: autovacuum vacuums a table after
 * enough inserts, and only then can the KPI read take pledges' events from the indexes alone (index-only
 * scans); right after a bulk load, without this, every event would also be fetched from the table.
 */
async function settle(db: Db): Promise<void> {
  await db.runScript('bench.vacuumAnalyze', 'VACUUM ANALYZE users, pledges, artists');
}

export interface DenseScale {
  readonly users: number;
  readonly pledgesPerUser: number;
}

export const denseScale: DenseScale = { users: 100_000, pledgesPerUser: 10 };
/** The flagged large run (KPI_BENCH_10M=1): 1,000,000 users, 10,000,000 pledges. */
export const hugeDenseScale: DenseScale = { users: 1_000_000, pledgesPerUser: 10 };

const insertDenseUsers = defineQuery<{ users: number; start: Date; end: Date }, never>(
  'bench.insertDenseUsers',
  `INSERT INTO users (email, password_hash, name, created_at)
   SELECT 'dense' || i || '@bench.pledgr.test', 'x', NULL,
          :start::timestamptz + (:end::timestamptz - :start::timestamptz) * random()
     FROM generate_series(1::bigint, :users::bigint) AS i`,
);
const insertDensePledges = defineQuery<{ perUser: number; artists: number; end: Date }, never>(
  'bench.insertDensePledges',
  `INSERT INTO pledges (user_id, artist_id, amount_cents, created_at, cancelled_at)
   SELECT user_id, artist_id, amount_cents, created_at,
          CASE WHEN random() < 0.45 THEN created_at + (:end::timestamptz - created_at) * random() END
     FROM (SELECT u.id AS user_id,
                  1 + floor(:artists * random() ^ 2)::bigint AS artist_id,
                  (100 * ceil(100 * random() ^ 4))::int AS amount_cents,
                  u.created_at + (:end::timestamptz - u.created_at) * random() AS created_at
             FROM users u CROSS JOIN generate_series(1, :perUser::int)) p`,
);

/** The dense shape over benchStart … benchEnd: every user registers in the range and pledges ten times. */
export async function loadDenseData(db: Db, scale: DenseScale = denseScale): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(setSeed, {});
    await tx.query(insertDenseUsers, { users: scale.users, start: benchStart, end: benchEnd });
    await tx.query(insertArtists, { artists: benchScale.artists, start: benchStart });
    await tx.query(insertDensePledges, {
      perUser: scale.pledgesPerUser,
      artists: benchScale.artists,
      end: benchEnd,
    });
  });
  await settle(db);
}

/** A shape of benchmark data at one scale: what it is called in the figures and how to load it. */
export interface Shape {
  readonly name: string;
  readonly load: (db: Db) => Promise<void>;
}

const count = (n: number) => n.toLocaleString('en-US');

/** The dense shape at `scale`. */
export function denseShape(scale: DenseScale): Shape {
  const pledges = scale.users * scale.pledgesPerUser;
  return {
    name: `dense ${count(scale.users)} users / ${count(pledges)} pledges`,
    load: (db) => loadDenseData(db, scale),
  };
}

/** Both shapes at `fraction` of the scale (PGlite runs in WebAssembly: a tenth keeps the run short). */
export function shapesAt(fraction: number): Shape[] {
  const generator = { users: benchScale.users * fraction, pledges: benchScale.pledges * fraction };
  return [
    {
      name: `generator ${count(generator.users)} users / ${count(generator.pledges)} pledges`,
      load: (db) => loadBenchData(db, generator),
    },
    denseShape({ ...denseScale, users: denseScale.users * fraction }),
  ];
}
