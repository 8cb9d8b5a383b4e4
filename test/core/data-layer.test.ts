// The data-layer contract, run once per implementation with the same assertions.
import { expect, it } from 'vitest';
import { openPostgresDb } from '../../core/db/postgres-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { QueryEvent } from '../../core/db/types.ts';
import { describeEachDatabase, testPool } from '../support/databases.ts';
import { createTempDatabase, describeWithPostgres } from '../support/postgres.ts';

const createThings = `CREATE TABLE things (id bigserial PRIMARY KEY, label text NOT NULL UNIQUE,
  amount_cents integer, at timestamptz, day date)`;
const insertThing = defineQuery<{ label: string; amount: number | null }, { id: number }>(
  'test.insertThing',
  'INSERT INTO things (label, amount_cents) VALUES (:label, :amount) RETURNING id',
);
const findByLabel = defineQuery<{ label: string }, { id: number; label: string }>(
  'test.findByLabel',
  'SELECT id, label FROM things WHERE label = :label',
);
const countThings = defineQuery<Record<string, never>, { n: number }>(
  'test.countThings',
  'SELECT count(*) AS n FROM things',
);

describeEachDatabase('data layer', ({ db }) => {
  it('creates a table from a script and binds named parameters', async () => {
    await db().runScript('test.createThings', createThings);
    const [row] = await db().query(insertThing, { label: 'first', amount: 500 });
    expect(row?.id).toBe(1);
    const found = await db().query(findByLabel, { label: 'first' });
    expect(found).toEqual([{ id: 1, label: 'first' }]);
  });

  it('returns counts, bigints, sums and numerics as numbers', async () => {
    const query = defineQuery<Record<string, never>, Record<string, unknown>>(
      'test.normalise',
      `SELECT count(*) AS n, sum(amount_cents) AS total, 9007199254740991::bigint AS big,
              avg(amount_cents) AS mean, 2.5::numeric AS fraction FROM things`,
    );
    const [row] = await db().query(query, {});
    expect(row).toEqual({ n: 1, total: 500, big: Number.MAX_SAFE_INTEGER, mean: 500, fraction: 2.5 });
  });

  it('returns timestamptz as Date and date as YYYY-MM-DD text', async () => {
    const query = defineQuery<{ at: Date }, { at: Date; day: string }>(
      'test.times',
      "SELECT :at::timestamptz AS at, '2026-02-28'::date AS day",
    );
    const at = new Date('2026-02-28T23:30:00.123Z');
    const [row] = await db().query(query, { at });
    expect(row?.at).toBeInstanceOf(Date);
    expect(row?.at.toISOString()).toBe(at.toISOString());
    expect(row?.day).toBe('2026-02-28');
  });

  it('runs every session in UTC', async () => {
    const zone = defineQuery<Record<string, never>, { zone: string }>(
      'test.timeZone',
      "SELECT current_setting('TimeZone') AS zone",
    );
    expect(await db().query(zone, {})).toEqual([{ zone: 'UTC' }]);
  });

  it('refuses an int8 beyond the safe integer range rather than rounding it', async () => {
    const query = defineQuery('test.unsafeBigint', 'SELECT 9007199254740993::bigint AS big');
    await expect(db().query(query, {})).rejects.toThrow(/safe integer/);
  });

  it('keeps a parameter that looks like SQL as data', async () => {
    const hostile = "x'); DROP TABLE things; --";
    await db().query(insertThing, { label: hostile, amount: null });
    expect(await db().query(findByLabel, { label: hostile })).toHaveLength(1);
    expect((await db().query(countThings, {}))[0]?.n).toBe(2);
  });

  it('binds arrays as PostgreSQL arrays', async () => {
    const query = defineQuery<{ labels: string[] }, { label: string }>(
      'test.findLabels',
      'SELECT label FROM things WHERE label = ANY(:labels::text[]) ORDER BY label',
    );
    expect(await db().query(query, { labels: ['first', 'absent'] })).toEqual([{ label: 'first' }]);
  });

  it('commits a transaction that resolves', async () => {
    const id = await db().transaction(async (tx) => {
      const [row] = await tx.query(insertThing, { label: 'committed', amount: 1 });
      return row?.id;
    });
    expect(await db().query(findByLabel, { label: 'committed' })).toEqual([{ id, label: 'committed' }]);
  });

  it('rolls back every statement of a transaction that throws', async () => {
    const before = (await db().query(countThings, {}))[0]?.n;
    await expect(
      db().transaction(async (tx) => {
        await tx.query(insertThing, { label: 'rolled-back', amount: 1 });
        await tx.query(insertThing, { label: 'first', amount: 1 }); // unique violation
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await db().query(countThings, {}))[0]?.n).toBe(before);
    expect(await db().query(findByLabel, { label: 'rolled-back' })).toEqual([]);
  });

  it('keeps statements issued outside an open transaction out of it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const failing = db().transaction(async (tx) => {
      await tx.query(insertThing, { label: 'inside', amount: 1 });
      await gate;
      throw new Error('abort');
    });
    const outside = db().query(insertThing, { label: 'outside', amount: 1 });
    release();
    await expect(failing).rejects.toThrow('abort');
    await outside;
    expect(await db().query(findByLabel, { label: 'inside' })).toEqual([]);
    expect(await db().query(findByLabel, { label: 'outside' })).toHaveLength(1);
  });

  it('bulk-loads rows with copyRows, quoting text and writing nulls', async () => {
    const rows = [
      ['copy-1', 100, new Date('2026-01-01T00:00:00Z')],
      ['copy, "2"\nwith newline', null, null],
    ] as const;
    const written = await db().copyRows({ table: 'things', columns: ['label', 'amount_cents', 'at'] }, rows);
    expect(written).toBe(2);
    const query = defineQuery<
      { labels: string[] },
      { label: string; amount_cents: number | null; at: Date | null }
    >(
      'test.copied',
      'SELECT label, amount_cents, at FROM things WHERE label = ANY(:labels::text[]) ORDER BY label',
    );
    expect(await db().query(query, { labels: [rows[0][0], rows[1][0]] })).toEqual([
      { label: 'copy, "2"\nwith newline', amount_cents: null, at: null },
      { label: 'copy-1', amount_cents: 100, at: new Date('2026-01-01T00:00:00Z') },
    ]);
  });

  it('writes nothing from a copy whose rows break a constraint', async () => {
    const before = (await db().query(countThings, {}))[0]?.n;
    await expect(
      db().copyRows({ table: 'things', columns: ['label'] }, [['unique-a'], ['unique-a']]),
    ).rejects.toThrow(/duplicate key/);
    expect((await db().query(countThings, {}))[0]?.n).toBe(before);
  });

  it('reports every query to listeners with its name, operation, duration and outcome', async () => {
    const events: QueryEvent[] = [];
    const unsubscribe = db().onQuery((event) => events.push(event));
    await db().query(findByLabel, { label: 'first' });
    await expect(db().query(insertThing, { label: 'first', amount: 1 })).rejects.toThrow();
    unsubscribe();
    await db().query(countThings, {});
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      queryName: 'test.findByLabel',
      operation: 'SELECT',
      rowCount: 1,
      failed: false,
    });
    expect(events[1]).toMatchObject({ queryName: 'test.insertThing', operation: 'INSERT', failed: true });
    expect(events[0]?.database).toBe(db().kind);
    for (const event of events) expect(event.durationSeconds).toBeGreaterThan(0);
    for (const event of events) expect(event.durationSeconds).toBeLessThan(10);
  });

  it('runs many concurrent queries and returns each its own result', async () => {
    const labels = Array.from({ length: 40 }, (_, i) => `concurrent-${i}`);
    await Promise.all(labels.map((label, i) => db().query(insertThing, { label, amount: i + 1 })));
    const found = await Promise.all(labels.map((label) => db().query(findByLabel, { label })));
    expect(found.map((rows) => rows[0]?.label)).toEqual(labels);
  });
});

describeWithPostgres('PostgreSQL sessions', () => {
  it('run in UTC even when the database defaults to another time zone', async () => {
    const temp = await createTempDatabase();
    const name = new URL(temp.url).pathname.slice(1);
    const setup = openPostgresDb({ url: temp.url, pool: testPool });
    await setup.runScript('test.setZone', `ALTER DATABASE ${name} SET TimeZone = 'America/New_York'`);
    await setup.close();
    const db = openPostgresDb({ url: temp.url, pool: testPool });
    try {
      const zone = defineQuery<Record<string, never>, { zone: string }>(
        'test.timeZone',
        "SELECT current_setting('TimeZone') AS zone",
      );
      expect(await db.query(zone, {})).toEqual([{ zone: 'UTC' }]);
    } finally {
      await db.close();
      await temp.drop();
    }
  });
});
