import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedDataDir } from '../../core/db/open-db.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import { type KpiReport, kpiPeriodFields, kpiPeriodOutputFields } from '../../core/kpi/types.ts';
import { createTempDatabase, describeWithPostgres, type TempDatabase } from '../support/postgres.ts';
import { type CliResult, runCli } from '../support/run-cli.ts';

function expectOneLineError(result: CliResult, pattern: RegExp) {
  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stdout).toBe('');
}

describe('pulse help and usage errors', () => {
  it('lists every command in --help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['migrate', 'seed', 'start'])
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('gives each command its own --help', async () => {
    const result = await runCli(['seed', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--users <n>', '--months <m>', '--seed <s>', '--until <date>', '--append']) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('shows the help and exits 2 when no command is given', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: pulse');
  });

  it('exits 2 with one line for an unknown command, suggesting the near one', async () => {
    expectOneLineError(await runCli(['sed']), /unknown command 'sed'.*Did you mean seed\?/);
    expectOneLineError(await runCli(['frobnicate']), /unknown command 'frobnicate'/);
  });

  it('exits 2 with one line for bad flag values and unknown flags', async () => {
    expectOneLineError(
      await runCli(['seed', '--users', 'many']),
      /--users <n>.*'many' is invalid.*whole number/,
    );
    expectOneLineError(await runCli(['seed', '--users', '0']), /whole number from 1/);
    expectOneLineError(await runCli(['seed', '--users', '5', '--months', '1000']), /--months.*from 1 to 120/);
    expectOneLineError(await runCli(['seed', '--users', '5', '--until', 'yesterday']), /--until.*YYYY-MM-DD/);
    expectOneLineError(await runCli(['seed']), /required option '--users <n>'/);
    expectOneLineError(await runCli(['migrate', '--nope']), /unknown option '--nope'/);
  });

  it('exits 2 naming the variable for a bad configuration', async () => {
    const result = await runCli(['migrate'], { DB_POOL_MAX: 'lots' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/DB_POOL_MAX \("lots"\): must be a whole number/);
  });
});

describe('pulse migrate and seed on the embedded database', () => {
  let dataDir = '';
  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('migrates, seeds, refuses a second seed and appends when asked', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'pulse-cli-'));
    const env = { PULSE_DATA_DIR: dataDir };
    const migrated = await runCli(['migrate'], env);
    expect(migrated).toMatchObject({ code: 0 });
    expect(migrated.stdout).toMatch(
      /Applied 11 migration\(s\) to embedded database .*0010_alert_lease, 0011_kpi_event_indexes/,
    );
    expect((await runCli(['migrate'], env)).stdout).toMatch(
      /up to date \(11 migration\(s\) already applied\)/,
    );

    const seeded = await runCli(
      ['seed', '--users', '300', '--months', '3', '--seed', '5', '--until', '2026-11-01'],
      env,
    );
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/^Seeded 300 users, \d+ artists and \d+ pledges into embedded database/);

    const refused = await runCli(['seed', '--users', '10'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused: the database already has 300 users; pass --append/);

    const appended = await runCli(['seed', '--users', '10', '--append'], env);
    expect(appended.code).toBe(0);
    expect(appended.stdout).toMatch(/^Seeded 10 users/);
  });

  it('prints KPIs as csv and table, and bad parameters as the API error document with exit 2', async () => {
    const env = { PULSE_DATA_DIR: dataDir };
    const range = [
      '--from',
      '2026-08-01',
      '--to',
      '2026-11-01',
      '--interval',
      'month',
      '--as-of',
      '2026-11-01T00:00:00Z',
    ];
    const csv = await runCli(['kpis', ...range, '--format', 'csv'], env);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    // The DESIGN.md fields in their order, then the added ones.
    expect(lines[0]).toBe(kpiPeriodOutputFields.join(','));
    expect(lines[0]?.startsWith(`${kpiPeriodFields.join(',')},`)).toBe(true);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(/^2026-08-01T00:00:00\.000Z,2026-09-01T00:00:00\.000Z,\d+,/);
    const table = await runCli(['kpis', ...range, '--format', 'table'], env);
    expect(table.stdout).toMatch(/^KPIs by month, USD, as of 2026-11-01T00:00:00\.000Z/);
    expect(table.stdout).toMatch(/^MRR +\$[\d,]+\.\d\d/m);
    expect(table.stdout).toMatch(/^30-day conversion +[\d.]+%/m);
    // The demo seed's cancels were all recorded when they happened: no note.
    expect(table.stdout).toMatch(/^Churn movements on estimated dates +0 +0 +0$/m);
    expect(table.stderr).toBe('');

    const bad = await runCli(
      ['kpis', '--from', '2026-08-01', '--to', '2026-11-01', '--interval', 'fortnight'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stderr)).toEqual({
      error: { code: 'invalid_parameter', message: '--interval must be one of day, week, month' },
    });
    const format = await runCli(['kpis', ...range, '--format', 'xml'], env);
    expect(format.code).toBe(2);
    expect(JSON.parse(format.stderr).error.message).toBe('--format must be one of json, csv, table');
  });

  it('notes on stderr, below the table, how many churn movements rest on estimated cancel instants', async () => {
    const env = { PULSE_DATA_DIR: dataDir };
    const range = ['--from', '2026-08-01', '--to', '2026-11-01', '--interval', 'month'];
    // As if September's cancels had come from the legacy SQLite file, whose cancels have no instant.
    const db = await openPgliteDb({ dataDir: embeddedDataDir(dataDir) });
    try {
      await db.query(
        defineQuery<Record<string, never>, never>(
          'test.estimateSeptemberCancels',
          `UPDATE pledges SET cancelled_at_source = 'estimated_import'
            WHERE cancelled_at >= '2026-09-01T00:00:00Z' AND cancelled_at < '2026-10-01T00:00:00Z'`,
        ),
        {},
      );
    } finally {
      await db.close();
    }

    const json = await runCli(['kpis', ...range, '--format', 'json'], env);
    expect(json).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(json.stdout) as KpiReport;
    const counts = report.periods.map((period) => period.estimatedChurnMovements);
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBeGreaterThan(0);
    expect(counts[2]).toBe(0);

    const table = await runCli(['kpis', ...range, '--format', 'table'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^Churn movements on estimated dates +0 +${counts[1]} +0$`, 'm'));
    expect(table.stdout).not.toMatch(/Note:/);
    expect(table.stderr.trim().split('\n')).toHaveLength(1);
    expect(table.stderr).toMatch(
      new RegExp(
        `^Note: ${counts[1]} churn movements? \\(churned or contracted pledgers?\\) rests? on estimated cancellation ` +
          'dates, in 1 of these 3 month periods \\(2026-09\\): .*old Pledgr SQLite file, which never recorded when a pledge was ' +
          'cancelled.*"Churn movements on estimated dates" per period',
      ),
    );

    // json and csv carry the count as a field; their stderr stays empty.
    const csv = await runCli(['kpis', ...range, '--format', 'csv'], env);
    expect(csv).toMatchObject({ code: 0, stderr: '' });
    expect(csv.stdout.trim().split('\n')[2]?.endsWith(`,${counts[1]}`)).toBe(true);
  });

  it('honours --data-dir over PULSE_DATA_DIR', async () => {
    const flagDir = await mkdtemp(join(tmpdir(), 'pulse-cli-flag-'));
    try {
      const result = await runCli(['--data-dir', flagDir, 'migrate'], {
        PULSE_DATA_DIR: '/nonexistent/never',
      });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(flagDir);
    } finally {
      await rm(flagDir, { recursive: true, force: true });
    }
  });
});

describeWithPostgres('pulse migrate and seed on PostgreSQL', () => {
  let temp: TempDatabase | undefined;
  afterAll(async () => {
    await temp?.drop();
  });

  it('migrates twice and seeds through DATABASE_URL without printing credentials', async () => {
    temp = await createTempDatabase();
    const env = { DATABASE_URL: temp.url };
    const first = await runCli(['migrate'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/to PostgreSQL \(postgres:\/\/127\.0\.0\.1:5432\/pulse_test_\w+\)/);
    expect((await runCli(['migrate'], env)).stdout).toMatch(/up to date/);
    const seeded = await runCli(['seed', '--users', '500', '--seed', '3'], env);
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toMatch(/^Seeded 500 users, \d+ artists and \d+ pledges into PostgreSQL/);
  });

  it('fails cleanly with exit 1 when the server cannot be reached', async () => {
    const result = await runCli(['migrate'], {
      DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:1/none',
      DB_POOL_CONNECTION_TIMEOUT_MS: '500',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^pulse: failed: .*ECONNREFUSED/);
    expect(result.stderr).not.toContain('pw@');
  });
});
