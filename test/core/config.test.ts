// Configuration: defaults from the scaling guide, DATABASE_TYPE inferred from DATABASE_URL, flags over the
// environment, and errors that name the variable and the fix without echoing secrets.
import { describe, expect, it } from 'vitest';
import { loadCliConfig } from '../../cli/config.ts';
import { ConfigError } from '../../core/errors.ts';

const pgUrl = 'postgres://pulse:s3cret@db.internal:5432/pledgr';

describe('configuration', () => {
  it('defaults to the embedded database under ./data', () => {
    expect(loadCliConfig({})).toEqual({ database: { kind: 'embedded', dataDir: './data' }, currency: 'USD' });
  });

  it('infers PostgreSQL from DATABASE_URL with the scaling-guide pool defaults', () => {
    expect(loadCliConfig({ DATABASE_URL: pgUrl }).database).toEqual({
      kind: 'postgres',
      url: pgUrl,
      dataDir: './data',
      pool: { max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2_000 },
    });
  });

  it('reads the pool settings from the environment', () => {
    const config = loadCliConfig({
      DATABASE_URL: pgUrl,
      DB_POOL_MAX: '5',
      DB_POOL_IDLE_TIMEOUT_MS: '1000',
      DB_POOL_CONNECTION_TIMEOUT_MS: '250',
    });
    expect(config.database).toMatchObject({
      pool: { max: 5, idleTimeoutMillis: 1000, connectionTimeoutMillis: 250 },
    });
  });

  it('keeps the embedded database when DATABASE_TYPE says so, even with a URL set', () => {
    expect(loadCliConfig({ DATABASE_TYPE: 'embedded', DATABASE_URL: pgUrl }).database.kind).toBe('embedded');
  });

  it('lets a flag override PULSE_DATA_DIR', () => {
    expect(loadCliConfig({ PULSE_DATA_DIR: '/env' }, { dataDir: '/flag' }).database).toMatchObject({
      dataDir: '/flag',
    });
    expect(loadCliConfig({ PULSE_DATA_DIR: '/env' }).database).toMatchObject({ dataDir: '/env' });
  });

  it('reads the platform currency and rejects one that is not an ISO 4217 code', () => {
    expect(loadCliConfig({ PULSE_CURRENCY: 'EUR' }).currency).toBe('EUR');
    expect(() => loadCliConfig({ PULSE_CURRENCY: 'euro' })).toThrow(
      /PULSE_CURRENCY \("euro"\): must be an ISO 4217/,
    );
  });

  it('treats an empty variable as unset', () => {
    expect(loadCliConfig({ DATABASE_URL: '', DB_POOL_MAX: '' }).database.kind).toBe('embedded');
  });

  it('names the variable, the value and the fix for a bad pool size', () => {
    expect(() => loadCliConfig({ DB_POOL_MAX: 'lots' })).toThrow(
      /DB_POOL_MAX \("lots"\): must be a whole number from 1 to 1000, e\.g\. 20/,
    );
    expect(() => loadCliConfig({ DB_POOL_MAX: '0' })).toThrow(/DB_POOL_MAX \("0"\): must be from 1 to 1000/);
  });

  it('requires DATABASE_URL when DATABASE_TYPE=postgres', () => {
    expect(() => loadCliConfig({ DATABASE_TYPE: 'postgres' })).toThrow(/DATABASE_URL \(unset\): is required/);
  });

  it('rejects an unknown DATABASE_TYPE listing the allowed values', () => {
    expect(() => loadCliConfig({ DATABASE_TYPE: 'sqlite' })).toThrow(
      /DATABASE_TYPE \("sqlite"\): must be one of embedded, postgres/,
    );
  });

  it('never echoes a DATABASE_URL, which may hold a password', () => {
    let message = '';
    try {
      loadCliConfig({ DATABASE_URL: 'mysql://root:hunter2@x/db' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL \(given\): must be a postgres:\/\//);
    expect(message).not.toContain('hunter2');
  });

  it('reports every bad variable at once', () => {
    expect(() => loadCliConfig({ DB_POOL_MAX: 'x', DB_POOL_IDLE_TIMEOUT_MS: '-1' })).toThrow(
      /DB_POOL_MAX[\s\S]*DB_POOL_IDLE_TIMEOUT_MS/,
    );
  });
});
