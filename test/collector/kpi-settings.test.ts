// The collector's KPI bounds read from the environment: defaults of the README, values taken as given,
// and a bad value stopping start-up with the variable's name.
import { describe, expect, it } from 'vitest';
import { defaultKpiSettings, loadCollectorConfig } from '../../collector/config.ts';

describe('collector KPI settings', () => {
  it('defaults to 2 running, 20 waiting, 20,000 cached periods, 1,000,000 open-period users, 2 slices', () => {
    const defaults = {
      maxConcurrent: 2,
      maxQueued: 20,
      cachePeriods: 20_000,
      openPeriodUsers: 1_000_000,
      querySlices: 2,
    };
    expect(loadCollectorConfig({}).kpi).toEqual(defaults);
    expect(defaultKpiSettings).toEqual(defaults);
  });

  it('reads every KPI_ setting', () => {
    const config = loadCollectorConfig({
      KPI_MAX_CONCURRENT: '4',
      KPI_MAX_QUEUED: '0',
      KPI_CACHE_PERIODS: '0',
      KPI_OPEN_PERIOD_USERS: '1000000',
      KPI_QUERY_SLICES: '1',
    });
    expect(config.kpi).toEqual({
      maxConcurrent: 4,
      maxQueued: 0,
      cachePeriods: 0,
      openPeriodUsers: 1_000_000,
      querySlices: 1,
    });
  });

  it('stops on a value out of range, naming the variable', () => {
    expect(() => loadCollectorConfig({ KPI_MAX_CONCURRENT: '0' })).toThrow(
      /KPI_MAX_CONCURRENT \("0"\): must be from 1 to 64/,
    );
    expect(() => loadCollectorConfig({ KPI_MAX_QUEUED: 'many' })).toThrow(
      /KPI_MAX_QUEUED \("many"\): must be a whole number/,
    );
    expect(() => loadCollectorConfig({ KPI_CACHE_PERIODS: '2000000' })).toThrow(
      /KPI_CACHE_PERIODS \("2000000"\): must be from 0 to 1000000/,
    );
    expect(() => loadCollectorConfig({ KPI_QUERY_SLICES: '0' })).toThrow(
      /KPI_QUERY_SLICES \("0"\): must be from 1 to 64/,
    );
    expect(() => loadCollectorConfig({ KPI_OPEN_PERIOD_USERS: '-1' })).toThrow(
      /KPI_OPEN_PERIOD_USERS \("-1"\)/,
    );
  });
});
