// What `pulse load` does (declared in ../commands/load.ts): runs the traffic mix against the pledge API with
// autocannon and prints the summary (text or JSON); a 5xx answer fails the command (exit 1).
import { type KindCounts, type LoadSummary, runLoad as runTrafficMix } from '../load/load-generator.ts';
import { requestKinds } from '../load/traffic-mix.ts';

export interface LoadFlags {
  readonly url: string;
  readonly duration?: number;
  readonly requests?: number;
  readonly connections: number;
  readonly invalidShare: number;
  readonly rate?: number;
  readonly json?: boolean;
}

export async function runLoad(flags: LoadFlags): Promise<void> {
  const summary = await runTrafficMix({
    url: flags.url,
    connections: flags.connections,
    invalidShare: flags.invalidShare,
    ...(flags.rate ? { ratePerSecond: flags.rate } : {}),
    ...(flags.requests !== undefined
      ? { requests: flags.requests }
      : { durationSeconds: flags.duration ?? 10 }),
  });
  process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : describeLoad(summary));
  if (summary.statusClasses['5xx'] > 0) {
    throw new Error(`${summary.statusClasses['5xx']} request(s) were answered with a 5xx`);
  }
}

const count = (n: number) => n.toLocaleString('en-US');

/** The summary as a person reads it: totals, latency, then one row per kind of request. */
export function describeLoad(summary: LoadSummary): string {
  const { statusClasses: status, latencyMs: latency, invalid } = summary;
  const lines = [
    `Load run ${summary.runId} against ${summary.url}: ${count(summary.sent)} requests sent in ` +
      `${summary.durationSeconds.toFixed(1)} s over ${summary.connections} connections ` +
      `(${count(summary.answered)} answered, ${count(summary.errors)} connection errors or timeouts)`,
    `  throughput ${count(Math.round(summary.throughputPerSecond))} req/s; latency p50 ${latency.p50.toFixed(1)} ms, ` +
      `p95 ${latency.p95.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms`,
    `  answers: 2xx ${count(status['2xx'])}, 4xx ${count(status['4xx'])}, 5xx ${count(status['5xx'])}` +
      (status['3xx'] ? `, 3xx ${count(status['3xx'])}` : ''),
    `  ${'kind'.padEnd(14)}${['sent', '2xx', '4xx', '5xx'].map((h) => h.padStart(9)).join('')}`,
    ...requestKinds.map((kind) => {
      const row = summary.byKind[kind] as KindCounts;
      return `  ${kind.padEnd(14)}${[row.sent, row['2xx'], row['4xx'], row['5xx']].map((n) => count(n).padStart(9)).join('')}`;
    }),
    `  invalid requests: ${count(invalid.sent)} sent, ${count(invalid.answered4xx)} answered 4xx, ` +
      `${count(invalid.wrongly2xx)} wrongly 2xx, ${count(invalid.wrongly5xx)} wrongly 5xx`,
    `  valid requests refused with 4xx: ${count(summary.validAnswered4xx)}; users registered: ` +
      `${count(summary.usersRegistered)}` +
      (summary.setup.artistsCreated ? `; artists created for the run: ${summary.setup.artistsCreated}` : ''),
  ];
  if (summary.rateLimitPolicy) {
    lines.push(
      `  warning: the API is rate-limited (RateLimit-Policy: ${summary.rateLimitPolicy}); ` +
        'restart the agent with RATE_LIMIT_API=off RATE_LIMIT_AUTH=off',
    );
  }
  return `${lines.join('\n')}\n`;
}
