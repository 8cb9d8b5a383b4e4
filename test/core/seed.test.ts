// Demo data: deterministic for a seed, identical on both databases, refused into a database with users
// unless appending, and realistic — its conversion, churn, growth and skew are measured here in SQL,
// independently of the generator, and must fall in the bands the demo model intends.
import { expect, it } from 'vitest';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { RefusedError } from '../../core/errors.ts';
import { migrate } from '../../core/migrate.ts';
import { verifyPassword } from '../../core/password.ts';
import { demoPassword, seedDemoData } from '../../core/seed/seed-demo.ts';
import { describeEachDatabase, testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres } from '../support/postgres.ts';

const until = new Date('2026-11-01T00:00:00Z');
const small = { users: 400, months: 6, seed: 7, until, append: false } as const;
const large = { users: 6000, months: 24, seed: 11, until, append: false } as const;

const dumpRows = defineQuery<Record<string, never>, { dump: string }>(
  'test.dumpRows',
  `SELECT concat_ws('|',
     (SELECT string_agg(concat_ws(',', id, email, password_hash, name, created_at), ';' ORDER BY id) FROM users),
     (SELECT string_agg(concat_ws(',', id, user_id, name, created_at), ';' ORDER BY id) FROM artists),
     (SELECT string_agg(concat_ws(',', id, user_id, artist_id, amount_cents, created_at, cancelled_at), ';'
             ORDER BY id) FROM pledges)) AS dump`,
);

async function seededDump(db: Db, options: Parameters<typeof seedDemoData>[1]): Promise<string> {
  await migrate(db);
  await db.runScript('test.utc', "SET TIME ZONE 'UTC'");
  await seedDemoData(db, options);
  const [row] = await db.query(dumpRows, {});
  return row?.dump ?? '';
}

describeEachDatabase('seed determinism and safety', ({ db, fresh }) => {
  it('writes the same rows for the same seed and different rows for another seed', async () => {
    const first = await seededDump(db(), small);
    expect(first.length).toBeGreaterThan(1000);
    expect(await seededDump(await fresh(), small)).toBe(first);
    expect(await seededDump(await fresh(), { ...small, seed: 8 })).not.toBe(first);
  });

  it('refuses to write into a database that has users, leaving it unchanged', async () => {
    const before = (await db().query(dumpRows, {}))[0]?.dump;
    await expect(seedDemoData(db(), small)).rejects.toThrow(RefusedError);
    expect((await db().query(dumpRows, {}))[0]?.dump).toBe(before);
  });

  it('appends with ids after the existing ones and moves the sequences past them', async () => {
    const maxIds = defineQuery<Record<string, never>, { users: number; artists: number; pledges: number }>(
      'test.maxIds',
      'SELECT (SELECT max(id) FROM users) AS users, (SELECT max(id) FROM artists) AS artists, (SELECT max(id) FROM pledges) AS pledges',
    );
    const [before] = await db().query(maxIds, {});
    const summary = await seedDemoData(db(), { ...small, users: 50, append: true });
    expect(summary.firstUserId).toBe((before?.users ?? 0) + 1);
    const [after] = await db().query(maxIds, {});
    expect(after?.users).toBe((before?.users ?? 0) + 50);
    const insertUser = defineQuery<{ email: string }, { id: number }>(
      'test.insertUser',
      "INSERT INTO users (email, password_hash) VALUES (:email, 'x') RETURNING id",
    );
    expect((await db().query(insertUser, { email: 'after-seed@example.test' }))[0]?.id).toBe(
      (after?.users ?? 0) + 1,
    );
  });

  it('gives demo users a password hash that verifies against the documented demo password', async () => {
    const hash = defineQuery<Record<string, never>, { password_hash: string }>(
      'test.firstHash',
      'SELECT password_hash FROM users ORDER BY id LIMIT 1',
    );
    const [row] = await db().query(hash, {});
    expect(await verifyPassword(demoPassword, row?.password_hash ?? '')).toBe(true);
    expect(await verifyPassword('wrong', row?.password_hash ?? '')).toBe(false);
  });
});

describeWithPostgres('seed on PostgreSQL and PGlite', () => {
  it('writes identical rows into both databases for the same options', async () => {
    const temp = await createTempDatabase();
    const postgres = openPostgresDb({ url: temp.url, pool: testPool });
    const embedded = await openPgliteDb({ dataDir: 'memory://' });
    try {
      const [a, b] = [await seededDump(postgres, small), await seededDump(embedded, small)];
      expect(a).toBe(b);
    } finally {
      await Promise.all([postgres.close(), embedded.close()]);
      await temp.drop();
    }
  });
});

const conversion = defineQuery<{ until: Date }, { cohort: number; converted: number }>(
  'test.conversion',
  `SELECT count(*) AS cohort,
          count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pledges p WHERE p.user_id = u.id
                                            AND p.created_at < u.created_at + interval '30 days')) AS converted
     FROM users u WHERE u.created_at + interval '30 days' <= :until`,
);

const monthlyLogoChurn = defineQuery<
  { from: Date; until: Date },
  { month: Date; atStart: number; churned: number }
>(
  'test.monthlyLogoChurn',
  `WITH months AS (SELECT generate_series(:from::timestamptz, :until::timestamptz - interval '1 month',
                                          interval '1 month') AS s),
        state AS (
          SELECT m.s, p.user_id,
                 bool_or(p.created_at < m.s AND (p.cancelled_at IS NULL OR p.cancelled_at >= m.s)) AS active_start,
                 bool_or(p.created_at < m.s + interval '1 month'
                         AND (p.cancelled_at IS NULL OR p.cancelled_at >= m.s + interval '1 month')) AS active_end
            FROM months m CROSS JOIN pledges p GROUP BY m.s, p.user_id)
   SELECT s AS month, count(*) FILTER (WHERE active_start) AS "atStart",
          count(*) FILTER (WHERE active_start AND NOT active_end) AS churned
     FROM state GROUP BY s ORDER BY s`,
);

const shape = defineQuery<{ until: Date; midpoint: Date }, Record<string, number>>(
  'test.seedShape',
  `SELECT
     (SELECT count(*) FROM users WHERE created_at >= :midpoint) AS "secondHalfUsers",
     (SELECT count(*) FROM users WHERE created_at < :midpoint) AS "firstHalfUsers",
     (SELECT count(*) FROM pledges a JOIN pledges b ON b.user_id = a.user_id AND b.artist_id = a.artist_id
        AND b.created_at = a.cancelled_at AND b.amount_cents <> a.amount_cents) AS "amountChanges",
     (SELECT count(*) FROM pledges p WHERE EXISTS (SELECT 1 FROM pledges q WHERE q.user_id = p.user_id
        AND q.created_at < p.created_at)
        AND NOT EXISTS (SELECT 1 FROM pledges q WHERE q.user_id = p.user_id AND q.id <> p.id
        AND q.created_at < p.created_at AND (q.cancelled_at IS NULL OR q.cancelled_at >= p.created_at))) AS reactivations,
     (SELECT count(*) FROM pledges) AS pledges,
     (SELECT sum(n) FROM (SELECT count(*) AS n FROM pledges GROUP BY artist_id ORDER BY n DESC
        LIMIT (SELECT greatest(1, count(*) / 10) FROM artists)) top) AS "topTenthArtistPledges",
     (SELECT avg(amount_cents) FROM pledges) AS "meanAmount",
     (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount_cents) FROM pledges) AS "medianAmount",
     (SELECT count(*) FROM pledges p JOIN users u ON u.id = p.user_id WHERE p.created_at <= u.created_at) AS "beforeRegistration",
     (SELECT count(*) FROM pledges p JOIN artists a ON a.id = p.artist_id WHERE p.created_at < a.created_at) AS "beforeArtist",
     (SELECT count(*) FROM artists a JOIN users u ON u.id = a.user_id WHERE a.created_at < u.created_at) AS "ownerAfterArtist",
     (SELECT count(*) FROM pledges WHERE created_at >= :until OR cancelled_at >= :until) AS "afterUntil"`,
);

describeEachDatabase('seeded data realism', ({ db }) => {
  it('is generated and loaded', async () => {
    await migrate(db());
    const summary = await seedDemoData(db(), large);
    expect(summary.users).toBe(large.users);
    expect(summary.pledges).toBeGreaterThan(large.users / 5);
  });

  it('converts a quarter to a third of users within 30 days of registering', async () => {
    const [row] = await db().query(conversion, { until });
    const rate = (row?.converted ?? 0) / (row?.cohort ?? 1);
    expect(row?.cohort).toBeGreaterThan(5000);
    expect(rate).toBeGreaterThanOrEqual(0.25);
    expect(rate).toBeLessThanOrEqual(0.34);
  });

  it('churns a few percent of pledgers each month', async () => {
    const from = new Date('2025-11-01T00:00:00Z');
    const months = (await db().query(monthlyLogoChurn, { from, until })).filter((m) => m.atStart >= 300);
    expect(months.length).toBeGreaterThanOrEqual(8);
    for (const month of months) {
      const rate = month.churned / month.atStart;
      expect({ month: month.month.toISOString(), rate }).toEqual({
        month: month.month.toISOString(),
        rate: expect.toSatisfy((r: number) => r >= 0.01 && r <= 0.06),
      });
    }
  });

  it('grows, changes amounts, reactivates, skews popularity and amounts, and keeps time consistent', async () => {
    const [s] = await db().query(shape, { until, midpoint: new Date('2025-11-01T00:00:00Z') });
    if (!s) throw new Error('no shape row');
    expect(s.secondHalfUsers).toBeGreaterThan(2 * (s.firstHalfUsers ?? 0));
    expect(s.amountChanges).toBeGreaterThan((s.pledges ?? 0) * 0.03);
    expect(s.reactivations).toBeGreaterThan((s.pledges ?? 0) * 0.02);
    expect(s.topTenthArtistPledges).toBeGreaterThan((s.pledges ?? 0) * 0.4);
    expect(s.medianAmount).toBeLessThan(s.meanAmount ?? 0);
    expect({
      beforeRegistration: s.beforeRegistration,
      beforeArtist: s.beforeArtist,
      ownerAfterArtist: s.ownerAfterArtist,
      afterUntil: s.afterUntil,
    }).toEqual({ beforeRegistration: 0, beforeArtist: 0, ownerAfterArtist: 0, afterUntil: 0 });
  });
});
