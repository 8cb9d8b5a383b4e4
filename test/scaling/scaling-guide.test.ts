// The guide as data agrees with the schema and with itself, and the health source's report becomes the
// checklist's inputs: distinct answering instances, the last success, instances that rejected requests.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HealthPoint, HealthReport, InstanceHealth } from '../../collector/health/types.ts';
import { healthInputsFromReport } from '../../collector/scaling/health-inputs.ts';
import { phaseForUsers } from '../../collector/scaling/phase.ts';
import { queriesDir } from '../../core/queries-dir.ts';
import { guideIndexes, scalingItems, scalingPhases } from '../../core/scaling/scaling-guide.ts';

describe('the scaling guide as data', () => {
  it('names the same three indexes as the schema migration, on the same tables and columns', async () => {
    const sql = await readFile(join(queriesDir, 'migrations', '0001_pledge_tables.sql'), 'utf8');
    const created = [...sql.matchAll(/CREATE INDEX (\w+) ON (\w+)\((\w+)\)/g)].map(
      ([, name, table, column]) => ({
        name,
        table,
        column,
      }),
    );
    expect(guideIndexes).toEqual(created);
  });

  it('gives every item a unique kebab-case id in a phase the guide has', () => {
    const ids = scalingItems.map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const item of scalingItems) {
      expect(item.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      // Checklist items belong to a phase; the security section's to none.
      if (item.section === 'checklist')
        expect(scalingPhases.map((phase) => phase.number)).toContain(item.phase);
      else expect(item.phase).toBeNull();
    }
    // The issue fixes these as manual: nothing in the system can observe them.
    const manual = scalingItems.filter((item) => item.how === 'manual').map((item) => item.id);
    expect(manual).toEqual([
      'automated-backups',
      'cdn',
      'disaster-recovery-plan',
      'microservices',
      'database-sharding',
      'global-deployment',
      'autoscaling',
      'professional-support',
      'read-replicas',
      'background-workers',
      'backups-tested',
      'ddos-protection',
      'tls-transport',
      'aes-256-storage',
      'key-rotation',
    ]);
    // Every manual item says what to write down as evidence.
    for (const item of scalingItems)
      if (item.how === 'manual') expect(item.recordHint.length).toBeGreaterThan(5);
  });

  it('chains the phases without gaps: each starts where the previous one ends', () => {
    expect(scalingPhases.map((phase) => [phase.fromUsers, phase.toUsers])).toEqual([
      [0, 1_000],
      [1_000, 10_000],
      [10_000, 100_000],
    ]);
    expect([0, 999, 1_000, 9_999, 10_000, 250_000].map((users) => phaseForUsers(users).number)).toEqual([
      1, 1, 2, 2, 3, 3,
    ]);
  });
});

const point = (t: number, rejections: number | null): HealthPoint => ({
  t,
  requestsPerSecond: 1,
  errorRatio: 0,
  latencyP50: 0.01,
  latencyP95: 0.02,
  latencyP99: 0.03,
  dbQueryP95: {},
  poolUsed: 0,
  poolIdle: 1,
  poolPending: 0,
  poolMax: 20,
  heapUsedBytes: 1,
  rssBytes: 1,
  eventLoopP99: 0.01,
  rateLimitRejectionsPerSecond: rejections,
  cacheLookupsPerSecond: rejections === null ? null : 2,
  cacheHitRatio: rejections === null ? null : 0.5,
});

const instance = (id: string, up: boolean, rejections: (number | null)[]): InstanceHealth => ({
  instance: id,
  version: '1.0.0',
  color: null,
  canary: false,
  target: `http://127.0.0.1:9464/metrics#${id}`,
  up,
  lastSeen: 1_000,
  points: rejections.map((value, index) => point(index * 5_000, value)),
});

describe('health inputs from the health source', () => {
  it('counts distinct answering instances and those that rejected requests within the window', () => {
    const report: HealthReport = {
      source: 'scrape',
      windowSeconds: 3_600,
      stepSeconds: 5,
      generatedAt: 20_000,
      lastSuccessAt: 15_000,
      total: [],
      instances: [
        instance('a', true, [0, 0.2, 0]), // its limiter's series exists: counts
        instance('b', true, [null, null]), // answering, no rejection series: no limiter
        instance('c', false, [0.5]), // has a limiter, but no longer answering: counts for neither
      ],
      canary: null,
    };
    expect(healthInputsFromReport(report)).toEqual({
      instanceCount: 2,
      lastSuccessAt: 15_000,
      instancesWithRateLimiter: 1,
      // Instance a serves the cache's look-up series too (cacheLookupsPerSecond is a number), b does not.
      instancesWithCache: 1,
      profileCache: null,
    });
    const withCache = {
      ...report,
      profileCache: { hits: 75, misses: 20, errors: 5, lookups: 100, hitRatio: 0.75 },
    };
    expect(healthInputsFromReport(withCache).profileCache).toEqual(withCache.profileCache);
  });

  it('reports no instance and no success before the first scrape', () => {
    const report: HealthReport = {
      source: 'prometheus',
      windowSeconds: 3_600,
      stepSeconds: 15,
      generatedAt: 0,
      lastSuccessAt: null,
      total: [],
      instances: [],
      canary: null,
    };
    expect(healthInputsFromReport(report)).toEqual({
      instanceCount: 0,
      lastSuccessAt: null,
      instancesWithRateLimiter: 0,
      instancesWithCache: 0,
      profileCache: null,
    });
  });
});
