// Collector soak: the built-in scraper over four agents for a whole simulated day at the default 5 s interval
// and 6 h retention (17,280 rounds on an injected clock and fetch; test/support/collector-soak.ts), one agent
// restarting every 4 h and one gone for an hour. Memory must stay flat once the buffers are full, the
// restarted instances must age out, and the last point must still be right.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFamiliesOnly, runCollectorSoak, soakCapturePath } from '../support/collector-soak.ts';

/** Requests per agent per round: the captured http_server_request_duration_count values, summed by hand. */
function capturedRequestsPerRound(): number {
  const text = readFileSync(soakCapturePath, 'utf8');
  return [...text.matchAll(/^http_server_request_duration_count\{.*\} (\S+)$/gm)]
    .map((match) => Number(match[1]))
    .reduce((sum, value) => sum + value, 0);
}

describe('collector soak: four agents, one simulated day', () => {
  it('keeps heap flat after the buffers fill, ages out restarted instances, and still reports right', async () => {
    const result = await runCollectorSoak({ capture: 'read-families' });
    const [quarter, half, threeQuarters, full] = result.checkpoints;
    console.log(
      `[soak] heap MiB 25/50/75/100 %: ${result.checkpoints.map((c) => (c.heapUsedBytes / 2 ** 20).toFixed(1)).join(' / ')}; ` +
        `RSS MiB: ${result.checkpoints.map((c) => (c.rssBytes / 2 ** 20).toFixed(0)).join(' / ')}; ${(result.elapsedMs / 1000).toFixed(0)} s`,
    );

    expect(result.rounds).toBe(17_280); // 24 h / 5 s
    expect(result.capacity).toBe(4_320); // 6 h / 5 s
    expect(result.checkpoints.map((c) => c.percent)).toEqual([25, 50, 75, 100]);
    // The buffers are full from 25 % on (6 h of 24 h): the heap may not grow any further.
    expect(full?.heapUsedBytes).toBeLessThanOrEqual(1.1 * (half?.heapUsedBytes ?? 0));
    expect(threeQuarters?.heapUsedBytes).toBeLessThanOrEqual(1.1 * (half?.heapUsedBytes ?? 0));
    // Against the first full-buffer figure too: a leak of ~100 bytes per scrape (6.6 MiB a day) breaks this.
    expect(full?.heapUsedBytes).toBeLessThanOrEqual(1.15 * (quarter?.heapUsedBytes ?? 0));

    // Instances kept at the end: a, c, d, and b's generations of the last 6 h. b restarts at 0, 4, …, 20 h;
    // generation 4 was last seen at 20 h − 5 s (within 6 h of the last round), generation 3 at 16 h − 5 s
    // (older than 6 h, evicted). So 5, not 9.
    expect(full?.instancesKept).toBe(5);
    const report = result.finalReport;
    expect(report.instances.map((instance) => instance.instance).sort()).toEqual([
      'agent-a',
      'agent-b-gen4',
      'agent-b-gen5',
      'agent-c',
      'agent-d',
    ]);
    expect(report.total).toHaveLength(4_320);

    // d was down for its hour and is back.
    expect(result.vanishedAgentUpDuringOutage).toBe(false);
    expect(report.instances.find((instance) => instance.instance === 'agent-d')?.up).toBe(true);
    expect(report.instances.find((instance) => instance.instance === 'agent-b-gen4')?.up).toBe(false);

    // The last round: all four agents grew by the captured counts over 5 s.
    const perRound = capturedRequestsPerRound();
    expect(perRound).toBe(31); // 1 + 3 + 1 + 10 + 1 + 15 in the capture
    expect(report.total.at(-1)?.requestsPerSecond).toBeCloseTo((4 * perRound) / 5, 9);
  }, 300_000);

  it('the test capture keeps every family the scraper reads and drops the rest', () => {
    const full = readFileSync(soakCapturePath, 'utf8');
    const trimmed = readFamiliesOnly(full);
    expect(trimmed).toContain('http_server_request_duration_bucket{');
    expect(trimmed).toContain('db_client_operation_duration_bucket{');
    expect(trimmed).toContain('pledgr_rate_limit_rejections_total{');
    expect(trimmed).toContain('process_memory_usage{');
    expect(trimmed).not.toContain('v8js_gc_duration_bucket{');
    expect(trimmed).not.toContain('target_info{');
  });
});
