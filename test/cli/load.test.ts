// `pulse load`'s generator against a real agent (in-process, PGlite in memory, rate limits off): every kind
// of request is sent, nothing fails with a 5xx, every invalid request is refused with a 4xx, and the
// database holds exactly the users the run registered.
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningAgent, startAgent } from '../../agent/server.ts';
import { type LoadSummary, runLoad } from '../../cli/load/load-generator.ts';
import { requestKinds } from '../../cli/load/traffic-mix.ts';
import { defineQuery } from '../../core/db/query.ts';
import { embeddedAgentConfig } from '../support/embedded-agent-config.ts';
import { runCli } from '../support/run-cli.ts';

const countUsers = defineQuery<Record<string, never>, { users: number }>(
  'test.countUsers',
  'SELECT count(*)::int AS users FROM users',
);

describe('pulse load against a real agent', () => {
  let agent: RunningAgent;
  let summary: LoadSummary;
  const serverErrors: string[] = [];

  beforeAll(async () => {
    agent = await startAgent(embeddedAgentConfig(), (message) => serverErrors.push(message));
    summary = await runLoad({ url: agent.url, requests: 600, connections: 8, invalidShare: 0.1 });
    // 600 requests with bcrypt/scrypt logins on a busy 2-core machine: a generous bound, not a speed test.
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
  });

  it('sends every kind of request, each at least once, and gets an answer to each', () => {
    for (const kind of requestKinds) expect(summary.byKind[kind].sent, kind).toBeGreaterThan(0);
    expect(summary.sent).toBe(600);
    expect(summary.answered).toBe(600);
    expect(summary.errors).toBe(0);
  });

  it('sees no 5xx', () => {
    expect(summary.statusClasses['5xx']).toBe(0);
    expect(serverErrors).toEqual([]);
  });

  it('gets a 4xx for every invalid request and a 2xx for every valid one', () => {
    expect(summary.invalid.sent).toBeGreaterThan(0);
    expect(summary.invalid.answered4xx).toBe(summary.invalid.sent);
    expect(summary.invalid.wrongly2xx).toBe(0);
    expect(summary.invalid.wrongly5xx).toBe(0);
    expect(summary.validAnswered4xx).toBe(0);
  });

  it('creates artists for an empty database and registers exactly the users the database holds', async () => {
    expect(summary.setup.artistsCreated).toBeGreaterThan(0);
    const [row] = await agent.db.query(countUsers, {});
    expect(row?.users).toBe(summary.usersRegistered);
    expect(summary.usersRegistered).toBe(summary.byKind.register['2xx'] + 1);
  });

  it('reports throughput and latency percentiles in order', () => {
    expect(summary.throughputPerSecond).toBeGreaterThan(0);
    expect(summary.latencyMs.p50).toBeLessThanOrEqual(summary.latencyMs.p95);
    expect(summary.latencyMs.p95).toBeLessThanOrEqual(summary.latencyMs.p99);
  });

  it('lets go of the caller’s abort signal after each run, however many runs share it', async () => {
    // The demo's traffic reuses one signal for a round a minute: a listener left per round leaked ~72 kB
    // each and warned MaxListenersExceeded after ~11 minutes.
    const signal = new AbortController().signal;
    for (let round = 0; round < 4; round++) {
      await runLoad({ url: agent.url, requests: 5, connections: 1, invalidShare: 0, signal });
      expect(getEventListeners(signal, 'abort'), `after round ${round + 1}`).toHaveLength(0);
    }
  });
});

describe('pulse load as a person runs it', () => {
  let agent: RunningAgent;

  beforeAll(async () => {
    agent = await startAgent(embeddedAgentConfig(), () => {});
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
  });

  it('prints the summary as JSON with the request count asked for and exits 0', async () => {
    const result = await runCli(['load', '--url', agent.url, '--requests', '120', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as LoadSummary;
    expect(summary.sent).toBe(120);
    expect(summary.statusClasses['5xx']).toBe(0);
  }, 60_000);

  it('prints a table of every kind of request', async () => {
    const result = await runCli(['load', '--url', agent.url, '--requests', '60', '--invalid-share', '0.2']);
    expect(result.code).toBe(0);
    for (const kind of requestKinds) expect(result.stdout).toMatch(new RegExp(`^  ${kind}\\s+\\d`, 'm'));
    expect(result.stdout).toMatch(
      /invalid requests: \d+ sent, \d+ answered 4xx, 0 wrongly 2xx, 0 wrongly 5xx/,
    );
  }, 60_000);

  it.each([
    [['--invalid-share', '2'], /share from 0 to 1/],
    [['--url', 'ftp://example.test'], /http:\/\/ or https:\/\//],
    [['--duration', '1', '--requests', '5'], /cannot be used with/],
    [['--connections', '0'], /--connections/],
  ])('exits 2 with one line for %j', async (args, message) => {
    const result = await runCli(['load', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it('exits 1 with one line when the API cannot be reached', async () => {
    const result = await runCli(['load', '--url', 'http://127.0.0.1:9', '--requests', '5']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
