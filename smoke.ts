import pg from 'pg';
import { openPgliteDb } from './core/db/pglite-db.ts';
import { openPostgresDb } from './core/db/postgres-db.ts';
import { defineQuery } from './core/db/query.ts';
import { migrate } from './core/migrate.ts';
import { seedDemoData } from './core/seed/seed-demo.ts';

const admin = new pg.Client('postgres://postgres@127.0.0.1:5432/postgres');
await admin.connect();
await admin.query('drop database if exists pulse_smoke');
await admin.query('create database pulse_smoke');
await admin.end();
const N = Number(process.argv[2] ?? 100000);
for (const db of [
  openPostgresDb({
    url: 'postgres://postgres@127.0.0.1:5432/pulse_smoke',
    pool: { max: 5, idleTimeoutMillis: 1000, connectionTimeoutMillis: 2000 },
  }),
  await openPgliteDb({ dataDir: 'memory://' }),
]) {
  await migrate(db);
  const s = await seedDemoData(db, {
    users: N,
    months: 24,
    seed: 1,
    until: new Date('2026-11-01T00:00:00Z'),
    append: false,
  });
  console.log(db.kind, s);
  const conv = defineQuery<{ until: Date }, Record<string, unknown>>(
    'smoke.conv',
    `select count(*) filter (where exists (select 1 from pledges p where p.user_id=u.id and p.created_at < u.created_at + interval '30 days'))::float / count(*) as conv, count(*) as cohort from users u where u.created_at + interval '30 days' <= :until`,
  );
  console.log(await db.query(conv, { until: new Date('2026-11-01T00:00:00Z') }));
  const churn = defineQuery(
    'smoke.churn',
    `with m as (select generate_series('2025-01-01'::timestamptz, '2026-10-01', '1 month') as s),
   st as (select m.s, p.user_id, bool_or(p.created_at < m.s and (p.cancelled_at is null or p.cancelled_at >= m.s)) as a_s,
     bool_or(p.created_at < m.s + interval '1 month' and (p.cancelled_at is null or p.cancelled_at >= m.s + interval '1 month')) as a_e
     from m cross join pledges p group by 1,2)
   select s, count(*) filter (where a_s) as at_start, round(count(*) filter (where a_s and not a_e)::numeric / nullif(count(*) filter (where a_s),0), 4) as churn from st group by s order by s`,
  );
  console.log(await db.query(churn, {}));
  await db.close();
}
