// The collector's /metrics gauges computed from the KPI catalog, on both databases, over a fixture whose
// numbers are worked out by hand. "Now" is 2026-11-15 12:00 UTC, so the previous month is October and the
// current month November:
//   users A, B, C registered 2026-09-10 (no registration in October or November; 3 users at each end);
//   A pledges 500 cents on 2026-10-05 (active); B pledges 300 cents on 2026-11-03 (active); C never pledges.
//   October: MRR at end (Nov 1) 500, 1 pledger, new MRR 500, logo churn 0 / 0 pledgers at start → no sample.
//   November: MRR at end 800, 2 pledgers, new MRR 300, logo churn 0 / 1 pledger at start = 0.

import { getMetricsFromIterator } from 'prom2javascript';
import { beforeAll, expect, it } from 'vitest';
import { createCollectorMetrics } from '../../collector/metrics/kpi-gauges.ts';
import { defineQuery } from '../../core/db/query.ts';
import { KpiEngine } from '../../core/kpi/kpi-engine.ts';
import { migrate } from '../../core/migrate.ts';
import { samples } from '../support/agent-process.ts';
import { describeEachDatabase } from '../support/databases.ts';

const insertFixture = defineQuery<Record<string, never>, never>(
  'test.kpiGaugeFixture',
  `WITH u AS (
     INSERT INTO users (email, password_hash, created_at) VALUES
       ('a@fixture.test', 'x', '2026-09-10T00:00:00Z'),
       ('b@fixture.test', 'x', '2026-09-10T00:00:00Z'),
       ('c@fixture.test', 'x', '2026-09-10T00:00:00Z')
     RETURNING id, email),
   art AS (INSERT INTO artists (name, created_at) VALUES ('Band', '2026-09-01T00:00:00Z') RETURNING id)
   INSERT INTO pledges (user_id, artist_id, amount_cents, created_at)
   SELECT u.id, art.id, p.amount, p.at::timestamptz
     FROM (VALUES ('a@fixture.test', 500, '2026-10-05T00:00:00Z'), ('b@fixture.test', 300, '2026-11-03T00:00:00Z'))
          AS p(email, amount, at)
     JOIN u ON u.email = p.email CROSS JOIN art`,
);

const now = () => new Date('2026-11-15T12:00:00Z');

describeEachDatabase('collector KPI gauges', ({ db }) => {
  let text = '';
  let families: Awaited<ReturnType<typeof getMetricsFromIterator>>;

  beforeAll(async () => {
    await migrate(db());
    await db().query(insertFixture, {});
    const metrics = createCollectorMetrics({
      engine: new KpiEngine(db(), { currency: 'USD', now }),
      now,
      alertStates: () => [
        { alertname: 'UsersMilestone1k', severity: 'warning', state: 'firing' },
        { alertname: 'PoolPending', severity: 'warning', state: 'pending' },
        { alertname: 'HighErrorRatio', severity: 'critical', state: 'resolved' },
      ],
    });
    text = await metrics.render();
    // prom-client writes NaN as `Nan` (the event-loop lag before its first sample), which Prometheus reads
    // but prom2javascript refuses; those lines are not what this suite checks.
    const lines = text.split('\n').filter((line) => !line.endsWith(' Nan'));
    families = await getMetricsFromIterator(lines[Symbol.iterator]());
  });

  const value = (name: string, labels: Record<string, string>) => {
    const found = samples(families, name, labels);
    expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
    return Number(found[0]?.value);
  };

  it('serves every KPI of the month as its pledgr_* gauge, worked out by hand', () => {
    expect(value('pledgr_users', { period: 'previous_month' })).toBe(3);
    expect(value('pledgr_users', { period: 'current_month' })).toBe(3);
    expect(value('pledgr_registrations', { period: 'current_month' })).toBe(0);
    expect(value('pledgr_mrr_cents', { period: 'previous_month' })).toBe(500);
    expect(value('pledgr_mrr_cents', { period: 'current_month' })).toBe(800);
    expect(value('pledgr_new_mrr_cents', { period: 'current_month' })).toBe(300);
    expect(value('pledgr_pledgers', { period: 'current_month' })).toBe(2);
    expect(value('pledgr_logo_churn_ratio', { period: 'current_month' })).toBe(0);
  });

  it('leaves out a rate with nothing to measure instead of inventing a 0', () => {
    expect(samples(families, 'pledgr_logo_churn_ratio', { period: 'previous_month' })).toEqual([]);
  });

  it('serves alert states as 2 firing, 1 pending, 0 otherwise', () => {
    expect(value('pledgr_alert_state', { alertname: 'UsersMilestone1k', severity: 'warning' })).toBe(2);
    expect(value('pledgr_alert_state', { alertname: 'PoolPending' })).toBe(1);
    expect(value('pledgr_alert_state', { alertname: 'HighErrorRatio' })).toBe(0);
    expect(value('pledgr_kpi_report_stale', {})).toBe(0);
  });

  it('serves the collector process metrics under pledgr_collector_, and no personal data', () => {
    expect(text).toMatch(/^pledgr_collector_process_resident_memory_bytes \d+/m);
    expect(text).not.toContain('@fixture.test');
  });
});
