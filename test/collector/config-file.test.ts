// The configuration file (PULSE_CONFIG): alert thresholds and SLOs from one JSON file, validated at start. A
// valid file changes an alert threshold and an SLO objective that a real collector then evaluates and shows
// (GET /api/catalog, GET /api/slo); the environment beats the file; every kind of mistake stops the start
// with the file and the key named (through `pulse collector` too); the shipped example equals the defaults.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../collector/config.ts';
import type { RunningCollector } from '../../collector/server.ts';
import { alertThresholds } from '../../core/alerts/thresholds.ts';
import { defaultSloSettings } from '../../core/slo/slo-catalog.ts';
import type { Catalog } from '../../dashboard/src/lib/api-types.ts';
import { getJson, startTestCollector } from '../support/collector.ts';
import { startCollectorProcess } from '../support/collector-process.ts';

const examplePath = fileURLToPath(new URL('../../collector/pulse.config.example.json', import.meta.url));

let dir: string;
let files = 0;

/** Writes `body` (JSON unless a string) to a new file and returns its path. */
async function configFile(body: unknown): Promise<string> {
  files += 1;
  const path = join(dir, `pulse-${files}.config.json`);
  await writeFile(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pulse-config-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const changed = {
  alerts: {
    errors: { warningRatio: 0.02, warningResolveRatio: 0.01 },
    exposure: { keepFiringSeconds: 1200 },
  },
  slo: { availabilityObjective: 99.5, latencyThreshold: '250ms', window: '7d' },
};

describe('configuration file (PULSE_CONFIG)', () => {
  it('ships an example that is valid and equals the defaults, every configurable key written out', async () => {
    const config = loadCollectorConfig({ PULSE_CONFIG: examplePath });
    expect(config.alerts.thresholds).toEqual(alertThresholds);
    expect(config.slo).toEqual(defaultSloSettings);
    // Every number of AlertThresholds is in the example but the two the file may not set.
    const example = JSON.parse(await readFile(examplePath, 'utf8')) as { alerts: Record<string, object> };
    const { milestones, staleness, ...rest } = alertThresholds;
    const { users: _users, ...configurableMilestones } = milestones;
    const { healthIntervalSeconds: _interval, ...configurableStaleness } = staleness;
    expect(example.alerts).toEqual({
      ...rest,
      milestones: configurableMilestones,
      staleness: configurableStaleness,
    });
  });

  it('lays the file over the defaults: the keys it sets change, the others keep their defaults', async () => {
    const config = loadCollectorConfig({
      PULSE_CONFIG: await configFile(changed),
      HEALTH_SCRAPE_INTERVAL: '10s',
    });
    expect(config.alerts.thresholds?.errors).toEqual({
      ...alertThresholds.errors,
      warningRatio: 0.02,
      warningResolveRatio: 0.01,
    });
    expect(config.alerts.thresholds?.exposure.keepFiringSeconds).toBe(1200);
    expect(config.alerts.thresholds?.latency).toEqual(alertThresholds.latency);
    // The scrape interval still comes from HEALTH_SCRAPE_INTERVAL.
    expect(config.alerts.thresholds?.staleness.healthIntervalSeconds).toBe(10);
    expect(config.slo).toEqual({
      ...defaultSloSettings,
      availabilityObjective: 0.995,
      latencyThresholdSeconds: 0.25,
      windowSeconds: 7 * 86_400,
    });
  });

  it('lets the environment beat the file, and the file beat the defaults', async () => {
    const config = loadCollectorConfig({
      PULSE_CONFIG: await configFile(changed),
      SLO_AVAILABILITY_OBJECTIVE: '99.95',
      SLO_WINDOW: '28d',
    });
    expect(config.slo).toEqual({
      ...defaultSloSettings,
      availabilityObjective: 0.9995,
      latencyThresholdSeconds: 0.25,
      windowSeconds: 28 * 86_400,
    });
  });

  it.each([
    [
      'an unknown key',
      { alerts: { errors: { warningRatoi: 0.02 } } },
      /alerts\.errors\.warningRatoi: unknown key; known here: warningRatio,/,
    ],
    ['an unknown section', { alert: {} }, /alert: unknown key; known here: alerts, slo/],
    [
      'a wrong type',
      { alerts: { latency: { p95WarningSeconds: '500ms' } } },
      /alerts\.latency\.p95WarningSeconds \("500ms"\): must be a number from 0.001 to 60 \(seconds\)/,
    ],
    [
      'a negative duration',
      { alerts: { pool: { usedForSeconds: -60 } } },
      /alerts\.pool\.usedForSeconds \(-60\): must be a whole number from 0 to 604800 \(seconds\)/,
    ],
    [
      'a keep-firing time of 0',
      { alerts: { rateLimit: { keepFiringSeconds: 0 } } },
      /alerts\.rateLimit\.keepFiringSeconds \(0\): must be a whole number from 1 /,
    ],
    [
      'a share above 1',
      { alerts: { databaseConnections: { criticalShare: 95 } } },
      /alerts\.databaseConnections\.criticalShare \(95\): must be a number from 0 to 1 \(a share: 0.01 is 1 %\)/,
    ],
    [
      'a resolve threshold past its threshold',
      { alerts: { errors: { warningResolveRatio: 0.02 } } },
      /alerts\.errors\.warningResolveRatio \(0.02\): must be below alerts\.errors\.warningRatio \(0.01\)/,
    ],
    [
      'a threshold moved below its resolve threshold',
      { alerts: { memory: { heapUsedBytes: 536_870_912 } } },
      /alerts\.memory\.heapUsedBytes \(536870912\): must be above alerts\.memory\.heapResolveBytes \(939524096\)/,
    ],
    [
      'a milestone resolve share of 1',
      { alerts: { milestones: { resolveShare: 1 } } },
      /alerts\.milestones\.resolveShare \(1\): must be below 1/,
    ],
    [
      'a key the file may not set',
      { alerts: { staleness: { healthIntervalSeconds: 5 } } },
      /alerts\.staleness\.healthIntervalSeconds: set by HEALTH_SCRAPE_INTERVAL/,
    ],
    [
      'an objective of 100 %',
      { slo: { pledgeWritesObjective: 100 } },
      /slo\.pledgeWritesObjective \(100\): must be a percentage from 50 to 99.9999/,
    ],
    [
      'an objective as text',
      { slo: { latencyObjective: '99' } },
      /slo\.latencyObjective \("99"\): must be a number: a percentage/,
    ],
    [
      'a latency threshold that is no bucket bound',
      { slo: { latencyThreshold: '300ms' } },
      /slo\.latencyThreshold \("300ms"\): must be one of the agent's latency bucket bounds/,
    ],
    ['a window too short', { slo: { window: '2h' } }, /slo\.window \("2h"\): must be from/],
    ['not an object', [1, 2], /\(the whole file\) \(\[1,2\]\): must be a JSON object/],
    ['not JSON', '{"alerts": ', /is not valid JSON/],
  ])('stops the start on %s, naming the file and the key', async (_case, body, message) => {
    const path = await configFile(body);
    const load = () => loadCollectorConfig({ PULSE_CONFIG: path });
    expect(load).toThrow(`Invalid configuration file ${path} (PULSE_CONFIG):`);
    expect(load).toThrow(message);
  });

  it('stops the start on a file that cannot be read', () => {
    const path = join(dir, 'missing.json');
    expect(() => loadCollectorConfig({ PULSE_CONFIG: path })).toThrow(
      new RegExp(`Invalid configuration file ${path} \\(PULSE_CONFIG\\):\\n  cannot be read: ENOENT`),
    );
  });

  it('stops `pulse collector` with the message, before it listens', async () => {
    const path = await configFile({ alerts: { errors: { warningResolveRatio: 0.5 } } });
    await expect(startCollectorProcess({ PULSE_CONFIG: path })).rejects.toThrow(
      /alerts\.errors\.warningResolveRatio \(0\.5\): must be below alerts\.errors\.warningRatio/,
    );
  }, 60_000);
});

describe('a collector started with a configuration file', () => {
  let agent: Server;
  let collector: RunningCollector;

  beforeAll(async () => {
    // A stand-in agent with no traffic yet: enough for a scrape source, so GET /api/slo answers.
    agent = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('\n'));
    await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
    const { port } = agent.address() as AddressInfo;
    const config = loadCollectorConfig({
      PULSE_CONFIG: await configFile(changed),
      AGENT_METRICS_URLS: `http://127.0.0.1:${port}/metrics`,
    });
    collector = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      { health: config.health, alerts: { ...config.alerts, evaluationIntervalMs: 60_000 }, slo: config.slo },
    );
  }, 60_000);
  afterAll(async () => {
    await collector?.stop();
    await new Promise((resolve) => agent?.close(resolve));
  });

  it('evaluates the configured thresholds', () => {
    const states = collector.alerts.states();
    expect(states.find((s) => s.alertname === 'ApiErrorRatioHigh')).toMatchObject({
      threshold: 0.02,
      resolveThreshold: 0.01,
    });
    expect(states.find((s) => s.alertname === 'SensitiveFileServed')?.keepFiringForSeconds).toBe(1200);
  });

  it('lists them in GET /api/catalog, with how each resolves (null and 0 where a rule has none)', async () => {
    const { status, body } = await getJson(collector, '/api/catalog', 'operator');
    expect(status).toBe(200);
    const rules = (body as Catalog).alertRules;
    expect(rules.find((r) => r.name === 'ApiErrorRatioHigh')).toMatchObject({
      comparison: '>',
      threshold: 0.02,
      resolveThreshold: 0.01,
      keepFiringForSeconds: 0,
      unit: 'ratio',
    });
    expect(rules.find((r) => r.name === 'SensitiveFileServed')).toMatchObject({
      resolveThreshold: null,
      keepFiringForSeconds: 1200,
    });
    // Untouched rules keep their defaults.
    expect(rules.find((r) => r.name === 'ApiLatencyHigh')).toMatchObject({
      threshold: alertThresholds.latency.p95WarningSeconds,
      resolveThreshold: alertThresholds.latency.p95WarningResolveSeconds,
    });
    for (const rule of rules) {
      expect(rule.resolveThreshold !== null || rule.keepFiringForSeconds > 0, rule.name).toBe(true);
    }
  });

  it('reports the configured objectives in GET /api/slo', async () => {
    const { status, body } = await getJson(collector, '/api/slo', 'operator');
    expect(status).toBe(200);
    const slos = (
      body as { slos: { id: string; objective: number; windowSeconds: number; description: string }[] }
    ).slos;
    expect(slos.find((s) => s.id === 'PledgeApiAvailability')).toMatchObject({
      objective: 0.995,
      windowSeconds: 7 * 86_400,
    });
    expect(slos.find((s) => s.id === 'PledgeApiLatency')?.description).toContain('within 250 ms');
  });
});
