// The SLO catalog: the latency threshold is a bucket bound the agent really has, and the SLO_* settings
// are validated at start with the variable's name.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadCollectorConfig } from '../../collector/config.ts';
import { buildSloCatalog, defaultSloSettings, latencyBucketBounds } from '../../core/slo/slo-catalog.ts';

describe('SLO catalog', () => {
  it("lists exactly the agent's http.server.request.duration bucket bounds", async () => {
    const text = await readFile(
      new URL('../../agent/drop-in/http-server-metrics.ts', import.meta.url),
      'utf8',
    );
    const agent = /const durationBuckets = \[([^\]]+)\]/.exec(text)?.[1]?.split(',').map(Number);
    expect(agent).toEqual([...latencyBucketBounds]);
  });

  it('refuses a latency threshold that is not a bucket bound', () => {
    expect(() => buildSloCatalog({ ...defaultSloSettings, latencyThresholdSeconds: 0.3 })).toThrow(
      /not a bucket bound/,
    );
  });

  it('reads the objectives and window from SLO_* and defaults to 99.9 %, 99 % under 500 ms, 30 days', () => {
    expect(loadCollectorConfig({}).slo).toEqual(defaultSloSettings);
    expect(
      loadCollectorConfig({
        SLO_AVAILABILITY_OBJECTIVE: '99.95',
        SLO_LATENCY_OBJECTIVE: '95',
        SLO_LATENCY_THRESHOLD: '250ms',
        SLO_PLEDGE_WRITES_OBJECTIVE: '99.5',
        SLO_WINDOW: '28d',
      }).slo,
    ).toEqual({
      availabilityObjective: 0.9995,
      latencyObjective: 0.95,
      latencyThresholdSeconds: 0.25,
      pledgeWritesObjective: 0.995,
      windowSeconds: 28 * 86_400,
    });
  });

  it('stops the start with the variable named on a bad objective, threshold or window', () => {
    expect(() => loadCollectorConfig({ SLO_AVAILABILITY_OBJECTIVE: '100' })).toThrow(
      /SLO_AVAILABILITY_OBJECTIVE \("100"\): must be a percentage from 50 to 99.9999/,
    );
    expect(() => loadCollectorConfig({ SLO_PLEDGE_WRITES_OBJECTIVE: '49' })).toThrow(
      /SLO_PLEDGE_WRITES_OBJECTIVE \("49"\): must be from 50/,
    );
    expect(() => loadCollectorConfig({ SLO_LATENCY_THRESHOLD: '300ms' })).toThrow(
      /SLO_LATENCY_THRESHOLD \("300ms"\): must be one of the agent's latency bucket bounds/,
    );
    expect(() => loadCollectorConfig({ SLO_WINDOW: '2h' })).toThrow(/SLO_WINDOW \("2h"\)/);
  });
});
