// The scaling checklist on the collector's /metrics, over real HTTP with the real collector on both
// databases: pledgr_scaling_item_status{item,phase,source} for every item GET /api/scaling lists, with its
// status as 1 done, 0 todo, -1 unknown, and pledgr_scaling_phase for the phase. No agent is scraped here,
// so the items read from the agents are unknown; PostgreSQL makes "Migrate to PostgreSQL" done, PGlite
// leaves it to do. A manual record shows on the next scrape (the cached evaluation is dropped), and the
// item titles and the operator's name never appear on /metrics.
import { getMetricsFromIterator } from 'prom2javascript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ScalingItemView, ScalingReport } from '../../collector/scaling/scaling-types.ts';
import type { RunningCollector } from '../../collector/server.ts';
import type { DatabaseConfig } from '../../core/config/database-config.ts';
import { scalingItems } from '../../core/scaling/scaling-guide.ts';
import { addUsers } from '../scaling/scaling-support.ts';
import { samples } from '../support/agent-process.ts';
import { startTestCollector, testTokens } from '../support/collector.ts';
import { describeEachDatabase, testPool } from '../support/databases.ts';

const metricsToken = 'scaling-gauges-metrics-token-0123';

async function scrape(collector: RunningCollector) {
  const response = await fetch(`${collector.url}/metrics`, {
    headers: { authorization: `Bearer ${metricsToken}` },
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  // prom-client writes NaN as `Nan`, which prom2javascript refuses (see kpi-gauges.test.ts).
  const lines = text.split('\n').filter((line) => !line.endsWith(' Nan'));
  return { text, families: await getMetricsFromIterator(lines[Symbol.iterator]()) };
}

async function scalingReport(collector: RunningCollector): Promise<ScalingReport> {
  const response = await fetch(`${collector.url}/api/scaling`, {
    headers: { authorization: `Bearer ${testTokens.operator}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as ScalingReport;
}

/** Every item of the report with the phase label it should carry. */
function itemsOf(report: ScalingReport): [ScalingItemView, string][] {
  return [
    ...report.phases.flatMap((phase) =>
      phase.items.map((item) => [item, String(phase.number)] as [ScalingItemView, string]),
    ),
    ...report.security.items.map((item) => [item, 'security'] as [ScalingItemView, string]),
  ];
}

const statusValue = { done: 1, todo: 0, unknown: -1 } as const;

describeEachDatabase('collector scaling gauges', ({ db }) => {
  let collector: RunningCollector;

  beforeAll(async () => {
    const database: DatabaseConfig =
      db().kind === 'postgres'
        ? {
            kind: 'postgres',
            url: 'postgres://unused.invalid/opened-by-the-test',
            dataDir: 'memory://',
            pool: testPool,
          }
        : { kind: 'embedded', dataDir: 'memory://' };
    collector = await startTestCollector(database, { metricsToken }, { db: db() });
    await addUsers(db(), 1, 1_200);
  });

  afterAll(async () => {
    await collector?.stop();
  });

  it('serves every item of GET /api/scaling with its status, and the current phase', async () => {
    const report = await scalingReport(collector);
    const { families, text } = await scrape(collector);
    const items = itemsOf(report);
    expect(items.map(([item]) => item.id).sort()).toEqual(scalingItems.map((item) => item.id).sort());
    expect(samples(families, 'pledgr_scaling_item_status', {})).toHaveLength(items.length);
    for (const [item, phase] of items) {
      const found = samples(families, 'pledgr_scaling_item_status', { item: item.id });
      expect(found, item.id).toHaveLength(1);
      expect(found[0]?.labels, item.id).toEqual({ item: item.id, phase, source: item.source });
      expect(Number(found[0]?.value), `${item.id} ${item.status}`).toBe(statusValue[item.status]);
    }
    expect(report.phase.number).toBe(2);
    expect(Number(samples(families, 'pledgr_scaling_phase', {})[0]?.value)).toBe(2);
    // The statuses differ by what the collector runs on and what it can see.
    const postgresql = items.find(([item]) => item.id === 'postgresql')?.[0];
    expect(postgresql?.status).toBe(db().kind === 'postgres' ? 'done' : 'todo');
    expect(items.find(([item]) => item.id === 'monitoring')?.[0].status).toBe('unknown');
    expect(text).toMatch(/^# HELP pledgr_scaling_item_status .*1 done, 0 todo, -1 unknown/m);
    expect(text).not.toContain('Migrate to PostgreSQL');
  });

  it('shows a manual record on the next scrape, without the name of who recorded it', async () => {
    const before = await scrape(collector);
    expect(Number(samples(before.families, 'pledgr_scaling_item_status', { item: 'cdn' })[0]?.value)).toBe(0);
    const recorded = await fetch(`${collector.url}/api/scaling/items/cdn`, {
      method: 'POST',
      headers: { authorization: `Bearer ${testTokens.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ done: true, recordedBy: 'Ada Operator', note: 'Cloudflare in front' }),
    });
    expect(recorded.status).toBe(200);
    const after = await scrape(collector);
    const cdn = samples(after.families, 'pledgr_scaling_item_status', { item: 'cdn' });
    expect(cdn[0]?.labels).toEqual({ item: 'cdn', phase: '2', source: 'guide' });
    expect(Number(cdn[0]?.value)).toBe(1);
    const report = await scalingReport(collector);
    expect(itemsOf(report).find(([item]) => item.id === 'cdn')?.[0].status).toBe('done');
    expect(after.text).not.toContain('Ada Operator');
    expect(after.text).not.toContain('Cloudflare');
  });
});
