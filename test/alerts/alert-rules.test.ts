// Every rule of the catalog against hand-made snapshots: just below its threshold the condition is false,
// just above it is true (the burn-rate rows on the smaller of their two windows); guards (minimum traffic,
// sample sizes, the milestone band, the embedded database) and missing inputs; the conversion-drop
// arithmetic worked by hand.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conversionDrop } from '../../collector/alerts/conversion-drop.ts';
import { evaluateRule } from '../../collector/alerts/evaluate-rule.ts';
import { type AlertSnapshot, readAlertInputs } from '../../collector/alerts/inputs.ts';
import type { HealthPoint } from '../../collector/health/types.ts';
import { renderAction, renderSummary } from '../../core/alerts/render.ts';
import { type AlertRule, alertRules } from '../../core/alerts/rules.ts';
import { alertThresholds } from '../../core/alerts/thresholds.ts';
import type { BurnRates } from '../../core/slo/burn-rate-alerts.ts';
import { sloIds } from '../../core/slo/slo-catalog.ts';
import { healthPoint, quietSnapshot, steadyConversion, t0 } from './alert-support.ts';

const gib = 1024 ** 3;

function rule(name: string): AlertRule {
  const found = alertRules.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no rule ${name}`);
  return found;
}

function outcome(name: string, overrides: Partial<AlertSnapshot>, now = t0) {
  return evaluateRule(rule(name), readAlertInputs(quietSnapshot(now, overrides), now, alertThresholds));
}

const health = (point: Partial<HealthPoint>, instances: Partial<HealthPoint>[] = []) => ({
  health: { total: healthPoint(point), instances: instances.map((instance) => healthPoint(instance)) },
});

const churn = (pledgersAtStart: number, churnedPledgers: number) => ({
  lastMonthChurn: {
    periodStart: '2026-05-01T00:00:00.000Z',
    pledgersAtStart,
    churnedPledgers,
    logoChurnRate: churnedPledgers / pledgersAtStart,
  },
});

/** `used` client connections on a server whose max_connections 103 leaves 100 to ordinary roles. */
const serverConnections = (used: number) => ({
  databaseConnections: { used, hidden: 0, maxConnections: 103, reserved: 3, limit: 100 },
});

/** Three mature months pooled at 900 / 3000 = 30 %, then the month judged (cohort 1000), then an immature one. */
const conversionWith = (converted: number, cohort = 1000) => ({
  conversion: [
    ...steadyConversion.slice(0, 3).map((period) => ({ ...period, cohort: 1000, converted: 300 })),
    { periodStart: '2026-04-01T00:00:00.000Z', cohort, converted, mature: true },
    { periodStart: '2026-05-01T00:00:00.000Z', cohort: 1000, converted: 10, mature: false },
  ],
});

/**
 * Each row of the workbook's table with the 30-day factors: just below, one window at the factor while the
 * other burns far over it (the smaller of the two decides); just above, both over it.
 */
const burnRowCases: [string, BurnRates, BurnRates][] = [
  ['Fast', { '1h': 14.4, '5m': 200 }, { '1h': 14.41, '5m': 200 }],
  ['Steady', { '6h': 50, '30m': 6 }, { '6h': 50, '30m': 6.01 }],
  ['Slow', { '1d': 3, '2h': 9 }, { '1d': 3.01, '2h': 9 }],
  ['Leak', { '3d': 1, '6h': 2 }, { '3d': 1.01, '6h': 2 }],
];

const burnCases: [string, Partial<AlertSnapshot>, Partial<AlertSnapshot>][] = sloIds.flatMap((slo) =>
  burnRowCases.map(([row, below, above]): [string, Partial<AlertSnapshot>, Partial<AlertSnapshot>] => [
    `${slo}BudgetBurn${row}`,
    { sloBurnRates: { [slo]: below } },
    { sloBurnRates: { [slo]: above } },
  ]),
);

// [rule, just below (false), just above (true)]
const thresholdCases: [string, Partial<AlertSnapshot>, Partial<AlertSnapshot>][] = [
  ['UsersApproaching1K', { users: 799 }, { users: 800 }],
  ['UsersReached1K', { users: 999 }, { users: 1000 }],
  ['UsersApproaching10K', { users: 7999 }, { users: 8000 }],
  ['UsersReached10K', { users: 9999 }, { users: 10_000 }],
  ['UsersApproaching100K', { users: 79_999 }, { users: 80_000 }],
  ['UsersReached100K', { users: 99_999 }, { users: 100_000 }],
  [
    'EmbeddedDatabaseTooManyUsers',
    { users: 100, databaseKind: 'embedded' },
    { users: 101, databaseKind: 'embedded' },
  ],
  ['DbPoolRequestsWaiting', health({ poolPending: 0 }), health({ poolPending: 1 })],
  // 15 / 20 = 75 % < 80 %; 16 / 20 = 80 % (the rule is ≥ 80 %).
  ['DbPoolNearlyFull', health({ poolUsed: 15, poolMax: 20 }), health({ poolUsed: 16, poolMax: 20 })],
  ['ApiLatencyHigh', health({ latencyP95: 0.5 }), health({ latencyP95: 0.501 })],
  ['ApiLatencyCritical', health({ latencyP95: 1 }), health({ latencyP95: 1.001 })],
  ['ApiErrorRatioHigh', health({ errorRatio: 0.01 }), health({ errorRatio: 0.0101 })],
  ['ApiErrorRatioCritical', health({ errorRatio: 0.05 }), health({ errorRatio: 0.0501 })],
  ['EventLoopDelayHigh', health({ eventLoopP99: 0.1 }), health({ eventLoopP99: 0.101 })],
  ['HeapUsedHigh', health({ heapUsedBytes: gib }), health({ heapUsedBytes: gib + 1 })],
  ['RssHigh', health({ rssBytes: 1.5 * gib }), health({ rssBytes: 1.5 * gib + 1 })],
  [
    'RateLimitRejectionsSurging',
    health({ rateLimitRejectionsPerSecond: 1 }),
    health({ rateLimitRejectionsPerSecond: 1.01 }),
  ],
  // 3 × the 5 s scrape interval = 15 s.
  [
    'HealthSourceStale',
    { healthFreshness: { lastSuccessAt: t0 - 15_000, since: t0 - 600_000 } },
    { healthFreshness: { lastSuccessAt: t0 - 15_001, since: t0 - 600_000 } },
  ],
  [
    'KpiRefreshStale',
    { kpiFreshness: { lastSuccessAt: t0 - 900_000, since: t0 - 3_600_000 } },
    { kpiFreshness: { lastSuccessAt: t0 - 900_001, since: t0 - 3_600_000 } },
  ],
  // Every 60 s: 3 intervals = 180 s without a successful sync is the limit, a millisecond more is past it.
  [
    'LegacyFollowStale',
    { legacyFollow: [{ lastSyncAt: t0 - 180_000, intervalSeconds: 60 }] },
    { legacyFollow: [{ lastSyncAt: t0 - 180_001, intervalSeconds: 60 }] },
  ],
  // 8 of 100 = 8 % is not above 8 %; 9 of 100 is.
  ['LogoChurnHigh', churn(100, 8), churn(100, 9)],
  // Trailing 30 %: 241 of 1000 = 24.1 % is (0.30 − 0.241) / 0.30 = 19.67 % below; 239 is 20.33 % below.
  ['ConversionDropped', conversionWith(241), conversionWith(239)],
  ['SensitiveFileServed', { sensitiveFilesServed: 0 }, { sensitiveFilesServed: 1 }],
  // A server allowing 100 ordinary connections (max_connections 103, 3 reserved): 79 is under 80 %, 80 is at it.
  ['DatabaseConnectionsNearLimit', serverConnections(79), serverConnections(80)],
  ['DatabaseConnectionsExhausted', serverConnections(94), serverConnections(95)],
  ...burnCases,
];

describe('alert rules against their thresholds', () => {
  it('find nothing wrong in a quiet snapshot', () => {
    const values = readAlertInputs(quietSnapshot(), t0, alertThresholds);
    const holding = alertRules.filter((candidate) => evaluateRule(candidate, values).kind === 'true');
    expect(holding.map((candidate) => candidate.name)).toEqual([]);
  });

  it('cover every rule of the catalog', () => {
    expect(thresholdCases.map(([name]) => name).sort()).toEqual(alertRules.map((r) => r.name).sort());
  });

  for (const [name, below, above] of thresholdCases) {
    it(`${name} holds just above its threshold and not just below`, () => {
      expect(outcome(name, below)).toMatchObject({ kind: 'false' });
      expect(outcome(name, above)).toMatchObject({ kind: 'true' });
    });
  }

  it('announce each milestone band only below the milestone itself', () => {
    expect(outcome('UsersApproaching1K', { users: 999 }).kind).toBe('true');
    expect(outcome('UsersApproaching1K', { users: 1000 }).kind).toBe('false');
    expect(outcome('UsersReached1K', { users: 12_000 }).kind).toBe('true');
    expect(outcome('UsersReached10K', { users: 12_000 }).kind).toBe('true');
    expect(outcome('UsersApproaching10K', { users: 12_000 }).kind).toBe('false');
  });

  it("tell the next phase and its checklist in the milestone alerts, in the scaling guide's words", () => {
    expect(renderSummary(rule('UsersApproaching1K'), 812)).toBe(
      '812 users, 80 % of 1K: prepare for phase 2 (Growth, 1,000-10,000 users)',
    );
    expect(renderSummary(rule('UsersReached10K'), 10_250)).toBe(
      '10,250 users: past 10K, phase 3 (Enterprise, 10,000+ users) of the scaling guide begins',
    );
    expect(renderSummary(rule('UsersReached100K'), 100_000)).toMatch(/beyond the scaling guide's last range/);
    // Without statuses (the catalog as data, the Prometheus rules): the items of the phase that begins at
    // the milestone, in the guide's words and order, then what is due at the milestone.
    expect(rule('UsersApproaching1K').action).toEqual([
      'prepare: Load balancing (Before 10,000 Users)',
      'prepare: CDN implementation (Before 10,000 Users)',
      'prepare: Advanced caching (Before 10,000 Users)',
      'prepare: Performance testing (Before 10,000 Users)',
      'prepare: Disaster recovery plan (Before 10,000 Users)',
      "prepare: Redis configured (Pulse's own item) (Before 10,000 Users)",
      'finish what is still open of Before 1,000 Users: GET /api/scaling',
    ]);
    expect(rule('UsersReached10K').action.slice(0, 5)).toEqual([
      'Microservices architecture (Before 100,000 Users)',
      'Database sharding (Before 100,000 Users)',
      'Global deployment (Before 100,000 Users)',
      'Auto-scaling groups (Before 100,000 Users)',
      'Professional support (Before 100,000 Users)',
    ]);
    expect(rule('UsersReached100K').action.at(-1)).toBe('check every item is done: GET /api/scaling');
  });

  it('list each item of the next phase with its current status once the checklist is known', () => {
    const statuses = new Map<string, 'done' | 'todo' | 'unknown'>([
      ['load-balancer', 'todo'],
      ['cdn', 'done'],
      ['advanced-caching', 'unknown'],
      ['load-test', 'done'],
      ['disaster-recovery-plan', 'todo'],
      ['redis', 'done'],
      ['postgresql', 'done'],
      ['connection-pool', 'done'],
      ['database-indexes', 'done'],
      ['monitoring', 'todo'],
      ['automated-backups', 'todo'],
    ]);
    expect(renderAction(rule('UsersApproaching1K'), statuses)).toEqual([
      'prepare: Load balancing (Before 10,000 Users): to do',
      'prepare: CDN implementation (Before 10,000 Users): done',
      'prepare: Advanced caching (Before 10,000 Users): status unknown',
      'prepare: Performance testing (Before 10,000 Users): done',
      'prepare: Disaster recovery plan (Before 10,000 Users): to do',
      "prepare: Redis configured (Pulse's own item) (Before 10,000 Users): done",
      'finish what is still open of Before 1,000 Users: Set up monitoring (to do), Configure backups (to do)',
    ]);
    const allDone = new Map([...statuses].map(([id]) => [id, 'done' as const]));
    expect(renderAction(rule('UsersReached1K'), allDone).at(-1)).toBe('Before 1,000 Users: every item done');
    // Rules without a checklist keep their action.
    expect(renderAction(rule('ApiLatencyHigh'), statuses)).toEqual(rule('ApiLatencyHigh').action);
  });

  it("quote the guide's Database Migration Strategy in the embedded-database alert, with the working import", () => {
    const text = rule('EmbeddedDatabaseTooManyUsers').action.join('\n');
    for (const step of [
      'Step 1: Set up PostgreSQL',
      'Create Supabase account (free)',
      'Create new project',
      'Get connection string',
      'Update environment variables',
      'Step 2: Migrate Data',
      'Step 3: Update Application',
      'export DATABASE_TYPE=postgres',
      'export NODE_ENV=production',
    ]) {
      expect(text).toContain(step);
    }
    expect(text).toMatch(/sqlite3 pledgr\.db "\.dump"[^\n]*fails on the current app's file/);
    expect(text).toContain('npx pulse import-sqlite pledgr.db');
  });

  it('fire SensitiveFileServed, critical and for operators, on one served file and never on none', () => {
    expect(rule('SensitiveFileServed')).toMatchObject({
      severity: 'critical',
      audience: 'operator',
      forSeconds: 0,
    });
    expect(outcome('SensitiveFileServed', { sensitiveFilesServed: 1 }).kind).toBe('true');
    expect(outcome('SensitiveFileServed', { sensitiveFilesServed: 0 }).kind).toBe('false');
    // Not looked at (MONITORED_APP_URLS unset) or no answer: unknown, the alert keeps its state.
    expect(outcome('SensitiveFileServed', { sensitiveFilesServed: null }).kind).toBe('missing');
    expect(rule('SensitiveFileServed').action[0]).toMatch(/serve only a public\/ folder/);
  });

  it("judge the database server's connections against its limit for ordinary roles, missing on the embedded database", () => {
    // 80 of max_connections 103 is 77.7 %, under the line; of the 100 left past the 3 reserved slots, 80 %.
    expect(outcome('DatabaseConnectionsNearLimit', serverConnections(80))).toEqual({
      kind: 'true',
      value: 0.8,
    });
    // The embedded database has no connection limit to read: the rules keep their state.
    expect(outcome('DatabaseConnectionsNearLimit', { databaseConnections: null }).kind).toBe('missing');
    expect(outcome('DatabaseConnectionsExhausted', { databaseConnections: null }).kind).toBe('missing');
  });

  it("quote the scaling guide's Connection Pooling lines word for word in the connection-limit alerts", () => {
    const guide = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'shared', 'SCALING-GUIDE.md'),
      'utf8',
    ).replace(/[ \t]+/g, ' ');
    const action = rule('DatabaseConnectionsNearLimit').action;
    const quoted = action.flatMap((line) => [...line.matchAll(/the scaling guide, ([^:]+): "([^"]+)"/g)]);
    expect(quoted.map((match) => match[1])).toEqual(['Connection Pooling', 'Connection Pooling']);
    expect(guide).toContain('### **Connection Pooling**');
    for (const match of quoted) expect(guide).toContain(match[2]);
    expect(action.at(-1)).toBe(
      "or a database that allows more connections: the scaling guide's phase 2 (Growth) database, Managed PostgreSQL ($20-100/month)",
    );
    expect(guide).toContain('**Database**: Managed PostgreSQL');
    expect(rule('DatabaseConnectionsExhausted').action.slice(1)).toEqual(action);
  });

  it("judge a burn-rate row on the smaller of its two windows, its own SLO's only, missing while one is unknown", () => {
    const fast = { '1h': 20, '5m': 30 };
    expect(outcome('PledgeApiLatencyBudgetBurnFast', { sloBurnRates: { PledgeApiLatency: fast } })).toEqual({
      kind: 'true',
      value: 20,
    });
    // Another SLO burning leaves this one alone.
    expect(outcome('PledgeApiLatencyBudgetBurnFast', { sloBurnRates: { PledgeWrites: fast } }).kind).toBe(
      'missing',
    );
    // A window with no traffic or past what is kept: unknown, the alert keeps its state.
    const noShortWindow = { sloBurnRates: { PledgeApiLatency: { '1h': 20, '5m': null } } };
    expect(outcome('PledgeApiLatencyBudgetBurnFast', noShortWindow).kind).toBe('missing');
    expect(outcome('PledgeApiLatencyBudgetBurnFast', { sloBurnRates: null }).kind).toBe('missing');
    expect(rule('PledgeApiLatencyBudgetBurnFast')).toMatchObject({
      severity: 'critical',
      audience: 'operator',
    });
    expect(rule('PledgeApiLatencyBudgetBurnLeak')).toMatchObject({ severity: 'warning', threshold: 1 });
  });

  it('never ask a PostgreSQL installation to migrate to PostgreSQL', () => {
    expect(outcome('EmbeddedDatabaseTooManyUsers', { users: 5000, databaseKind: 'postgres' }).kind).toBe(
      'false',
    );
  });

  it('judge no error ratio on less than 1 request per second', () => {
    // Half of 0.9 req/s failing: one of two requests — not enough traffic to page on.
    expect(outcome('ApiErrorRatioCritical', health({ requestsPerSecond: 0.9, errorRatio: 0.5 })).kind).toBe(
      'false',
    );
    expect(outcome('ApiErrorRatioCritical', health({ requestsPerSecond: 1, errorRatio: 0.5 })).kind).toBe(
      'true',
    );
    // No traffic at all: the ratio is null but the guard already says "too little to judge".
    expect(outcome('ApiErrorRatioHigh', health({ requestsPerSecond: 0, errorRatio: null })).kind).toBe(
      'false',
    );
  });

  it('judge memory and event-loop delay on the worst instance, not on a sum', () => {
    const twoInstances = health({ rssBytes: 3 * gib }, [{ rssBytes: 1.4 * gib }, { rssBytes: 1.4 * gib }]);
    expect(outcome('RssHigh', twoInstances).kind).toBe('false');
    const oneLagging = health({ eventLoopP99: 0.01 }, [{ eventLoopP99: 0.01 }, { eventLoopP99: 0.2 }]);
    expect(outcome('EventLoopDelayHigh', oneLagging)).toEqual({ kind: 'true', value: 0.2 });
  });

  it('judge no churn on fewer than 30 pledgers', () => {
    expect(outcome('LogoChurnHigh', churn(29, 10)).kind).toBe('false');
  });

  it('report a missing input as missing, and a stale health point as missing', () => {
    expect(outcome('UsersReached1K', { users: null }).kind).toBe('missing');
    expect(outcome('ApiLatencyHigh', { health: null }).kind).toBe('missing');
    expect(outcome('LogoChurnHigh', { lastMonthChurn: null }).kind).toBe('missing');
    expect(outcome('ConversionDropped', { conversion: null }).kind).toBe('missing');
    expect(outcome('HealthSourceStale', { healthFreshness: null }).kind).toBe('missing');
    // 16 s after the last scrape the point is too old to judge latency on (but the staleness rule holds).
    const stale = {
      ...health({ latencyP95: 5 }),
      healthFreshness: { lastSuccessAt: t0 - 16_000, since: t0 - 60_000 },
    };
    expect(outcome('ApiLatencyCritical', stale).kind).toBe('missing');
    expect(outcome('HealthSourceStale', stale).kind).toBe('true');
  });

  it('count each followed legacy file against its own interval, and none followed as nothing stale', () => {
    const follows = [
      { lastSyncAt: t0 - 20 * 60_000, intervalSeconds: 600 }, // 20 min of 3 × 10 min: fine
      { lastSyncAt: t0 - 4 * 60_000, intervalSeconds: 60 }, // 4 min of 3 × 1 min: stale
      { lastSyncAt: t0 - 31_000, intervalSeconds: 10 }, // 31 s of 3 × 10 s: stale
    ];
    expect(outcome('LegacyFollowStale', { legacyFollow: follows })).toEqual({ kind: 'true', value: 2 });
    expect(outcome('LegacyFollowStale', { legacyFollow: [] })).toEqual({ kind: 'false', value: 0 });
    expect(outcome('LegacyFollowStale', { legacyFollow: null }).kind).toBe('missing');
    expect(renderSummary(rule('LegacyFollowStale'), 1)).toBe(
      '1 followed legacy SQLite file(s) not synced for more than 3 intervals: following stopped or failing',
    );
    expect(rule('LegacyFollowStale').action.join('; ')).toBe(
      'restart `pulse import-sqlite FILE --follow`; see the last error: GET /api/scaling (legacyFollow) or the Scaling view',
    );
  });

  it('count a health source that never answered as stale from the moment watching began', () => {
    expect(
      outcome('HealthSourceStale', { healthFreshness: { lastSuccessAt: null, since: t0 - 16_000 } }),
    ).toEqual({
      kind: 'true',
      value: 16,
    });
  });
});

describe('conversion drop', () => {
  it('compares the last mature month with the pooled trailing three, ignoring the immature month', () => {
    // Trailing mature months: 30/100, 50/200, 40/100 → pooled 120 / 400 = 0.30 (the mean of the three rates
    // would be 0.3167). Judged month: 49 of 200 = 0.245 → (0.30 − 0.245) / 0.30 = 0.18333, below 20 %.
    // (Against the mean it would be 0.2263 and fire: this tells pooled from averaged rates.)
    const series = [
      { periodStart: '2026-01-01', cohort: 100, converted: 30, mature: true },
      { periodStart: '2026-02-01', cohort: 200, converted: 50, mature: true },
      { periodStart: '2026-03-01', cohort: 100, converted: 40, mature: true },
      { periodStart: '2026-04-01', cohort: 200, converted: 49, mature: true },
      { periodStart: '2026-05-01', cohort: 200, converted: 5, mature: false },
    ];
    const drop = conversionDrop(series, 3);
    expect(drop?.trailingRate).toBeCloseTo(0.3, 12);
    expect(drop?.currentRate).toBeCloseTo(0.245, 12);
    expect(drop?.relativeDrop).toBeCloseTo(0.055 / 0.3, 12);
    expect(drop?.cohort).toBe(200);
    expect(outcome('ConversionDropped', { conversion: series }).kind).toBe('false');
  });

  it('needs three mature months before the judged one', () => {
    expect(conversionDrop(steadyConversion.slice(0, 3), 3)).toBeNull();
    expect(conversionDrop(steadyConversion, 3)?.relativeDrop).toBe(0);
  });

  it('judges no month with a cohort under 30 users', () => {
    // 2 of 29 = 6.9 %, far below 30 %, but 29 registrations are too few to call a trend.
    expect(outcome('ConversionDropped', conversionWith(2, 29)).kind).toBe('false');
  });
});
