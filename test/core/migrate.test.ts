// Migrations: the DESIGN.md pledge tables exactly, the three named indexes, idempotence, edited-migration
// refusal and atomicity — on both databases.
import { expect, it } from 'vitest';
import { defineQuery } from '../../core/db/query.ts';
import { RefusedError } from '../../core/errors.ts';
import { loadMigrations, type Migration, migrate } from '../../core/migrate.ts';
import { describeEachDatabase } from '../support/databases.ts';

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
}

const listColumns = defineQuery<Record<string, never>, ColumnRow>(
  'test.listColumns',
  `SELECT table_name, column_name, data_type, is_nullable, column_default
     FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name IN ('users', 'artists', 'pledges')
    ORDER BY table_name, ordinal_position`,
);
const listIndexes = defineQuery<Record<string, never>, { indexname: string; indexdef: string }>(
  'test.listIndexes',
  "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'idx_%' ORDER BY 1",
);
const listMigrations = defineQuery<Record<string, never>, { id: string }>(
  'test.listMigrations',
  'SELECT id FROM pulse_migrations ORDER BY id',
);

/**
 * DESIGN.md's schema, column by column: [name, type, nullable, default pattern], then what 0006 adds for the
 * legacy Pledgr import (issue 13: creator flag, the email as the old app held it, pledge levels, and how a
 * cancellation instant is known).
 */
const expectedColumns: Record<string, [string, string, boolean, RegExp | null][]> = {
  artists: [
    ['id', 'bigint', false, /^nextval\('artists_id_seq'/],
    ['user_id', 'bigint', true, null],
    ['name', 'text', false, null],
    ['created_at', 'timestamp with time zone', false, /^now\(\)$/],
  ],
  pledges: [
    ['id', 'bigint', false, /^nextval\('pledges_id_seq'/],
    ['user_id', 'bigint', false, null],
    ['artist_id', 'bigint', false, null],
    ['amount_cents', 'integer', false, null],
    ['created_at', 'timestamp with time zone', false, /^now\(\)$/],
    ['cancelled_at', 'timestamp with time zone', true, null],
    ['level_id', 'bigint', true, null],
    ['cancelled_at_source', 'text', true, null],
  ],
  users: [
    ['id', 'bigint', false, /^nextval\('users_id_seq'/],
    ['email', 'text', false, null],
    ['password_hash', 'text', false, null],
    ['name', 'text', true, null],
    ['created_at', 'timestamp with time zone', false, /^now\(\)$/],
    ['is_creator', 'boolean', false, /^false$/],
    ['legacy_email', 'text', true, null],
  ],
};

describeEachDatabase('migrations', ({ db, fresh }) => {
  it('apply once, then report everything already applied on a second run', async () => {
    const first = await migrate(db());
    expect(first.applied).toContain('0001_pledge_tables');
    const second = await migrate(db());
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toEqual(first.applied);
    expect((await db().query(listMigrations, {})).map((row) => row.id)).toEqual(first.applied);
  });

  it('create exactly the DESIGN.md columns of users, artists and pledges', async () => {
    const rows = await db().query(listColumns, {});
    for (const [table, columns] of Object.entries(expectedColumns)) {
      const actual = rows.filter((row) => row.table_name === table);
      expect(actual.map((row) => row.column_name)).toEqual(columns.map(([name]) => name));
      columns.forEach(([name, type, nullable, defaultPattern], i) => {
        const row = actual[i] as ColumnRow;
        expect(`${name}: ${row.data_type}`).toBe(`${name}: ${type}`);
        expect(`${name} nullable: ${row.is_nullable}`).toBe(`${name} nullable: ${nullable ? 'YES' : 'NO'}`);
        if (defaultPattern) expect(row.column_default).toMatch(defaultPattern);
        else expect(row.column_default).toBeNull();
      });
    }
  });

  it('create the three indexes the scaling guide names, on the right columns, and only the known others', async () => {
    const indexes = new Map((await db().query(listIndexes, {})).map((row) => [row.indexname, row.indexdef]));
    const columns = (name: string) => indexes.get(name)?.replace(/^.* USING btree /, '');
    expect(columns('idx_users_email')).toBe('(email)');
    expect(columns('idx_pledges_user_id')).toBe('(user_id)');
    expect(columns('idx_pledges_artist_id')).toBe('(artist_id)');
    // 0002 adds time and (user, time) indexes for incremental KPI refresh and the change log's own; 0003 the
    // agent's sessions index; 0004 the alert history's; 0006 the case-insensitive email look-up of the login
    // and pledge levels by artist; 0011 replaces the (user, time) index by one that includes the amount and
    // adds the partial (user, cancel time) one.
    expect([...indexes.keys()].sort()).toEqual([
      'idx_alert_history_alert_name_at',
      'idx_alert_history_at',
      'idx_kpi_changes_recorded_at',
      'idx_kpi_changes_xid',
      'idx_kpi_period_store_stored_at',
      'idx_pledge_levels_artist_id',
      'idx_pledges_artist_id',
      'idx_pledges_cancelled_at',
      'idx_pledges_created_at',
      'idx_pledges_user_id',
      'idx_pledges_user_id_cancelled_at',
      'idx_pledges_user_id_created_at_amount',
      'idx_sessions_user_id',
      'idx_users_created_at',
      'idx_users_email',
      'idx_users_email_lower',
    ]);
  });

  it('enforce the schema constraints: unique email, positive amount, cancel not before create, references', async () => {
    const run = (name: string, sql: string) => db().runScript(`test.${name}`, sql);
    await run('seedRow', "INSERT INTO users (email, password_hash) VALUES ('a@example.test', 'x')");
    await run('seedArtist', "INSERT INTO artists (user_id, name) VALUES (1, 'A')");
    await expect(
      run('dupEmail', "INSERT INTO users (email, password_hash) VALUES ('a@example.test', 'y')"),
    ).rejects.toThrow(/unique/);
    await expect(
      run('zeroAmount', 'INSERT INTO pledges (user_id, artist_id, amount_cents) VALUES (1, 1, 0)'),
    ).rejects.toThrow(/check constraint/);
    await expect(
      run(
        'cancelBefore',
        "INSERT INTO pledges (user_id, artist_id, amount_cents, created_at, cancelled_at) VALUES (1, 1, 100, '2026-01-02', '2026-01-01')",
      ),
    ).rejects.toThrow(/check constraint/);
    await expect(
      run('noUser', 'INSERT INTO pledges (user_id, artist_id, amount_cents) VALUES (99, 1, 100)'),
    ).rejects.toThrow(/foreign key/);
    await run(
      'sameInstant',
      "INSERT INTO pledges (user_id, artist_id, amount_cents, created_at, cancelled_at) VALUES (1, 1, 100, '2026-01-01', '2026-01-01')",
    );
  });

  it('refuse a migration whose file changed after it was applied', async () => {
    const [original] = await loadMigrations();
    const edited: Migration = { ...(original as Migration), checksum: 'edited' };
    await expect(migrate(db(), [edited])).rejects.toThrow(RefusedError);
  });

  it('roll back a failing migration entirely and record nothing', async () => {
    const target = await fresh();
    const broken: Migration = {
      id: '9999_broken',
      checksum: 'x',
      sql: 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;',
    };
    await expect(migrate(target, [broken])).rejects.toThrow(/no_such_table/);
    const tables = defineQuery<Record<string, never>, { n: number }>(
      'test.countHalfDone',
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'half_done'",
    );
    expect((await target.query(tables, {}))[0]?.n).toBe(0);
    expect(await migrate(target)).toMatchObject({ alreadyApplied: [] });
  });

  it('serialise two migrators running at once so each migration is applied exactly once', async () => {
    const target = await fresh();
    const results = await Promise.all([migrate(target), migrate(target)]);
    const appliedTwice = results.flatMap((result) => result.applied);
    expect(appliedTwice.sort()).toEqual((await loadMigrations()).map((m) => m.id));
  });
});
