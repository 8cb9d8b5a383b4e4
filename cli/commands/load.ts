// `pulse load`: sends a realistic traffic mix (browsing, sign-ups, logins, pledges, changes, cancellations
// and a share of invalid requests) to a running pledge API with autocannon, then prints a summary.
// Exit code 1 when any answer was a 5xx.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type KindCounts, type LoadSummary, runLoad } from '../../agent/load/load-generator.ts';
import { requestKinds } from '../../agent/load/traffic-mix.ts';
import { wholeNumberFlag } from '../arguments.ts';

interface LoadFlags {
  readonly url: string;
  readonly duration?: number;
  readonly requests?: number;
  readonly connections: number;
  readonly invalidShare: number;
  readonly rate?: number;
  readonly json?: boolean;
}

function urlFlag(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('expected an http:// or https:// URL such as http://127.0.0.1:3000.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('expected an http:// or https:// URL such as http://127.0.0.1:3000.');
  }
  return text;
}

function shareFlag(text: string): number {
  if (!/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(text)) {
    throw new InvalidArgumentError('expected a share from 0 to 1, e.g. 0.05.');
  }
  return Number(text);
}

export function registerLoad(program: Command): void {
  program
    .command('load')
    .description(
      'send a realistic traffic mix to a running pledge API (autocannon) and summarise the answers',
    )
    .option('--url <url>', 'base URL of the pledge API', urlFlag, 'http://127.0.0.1:3000')
    .addOption(
      new Option('--duration <seconds>', 'run for this many seconds (default: 10)')
        .argParser(wholeNumberFlag(1, 86_400))
        .conflicts('requests'),
    )
    .option(
      '--requests <n>',
      'send this many requests instead of running for a time',
      wholeNumberFlag(1, 100_000_000),
    )
    .option('--connections <n>', 'concurrent connections', wholeNumberFlag(1, 10_000), 10)
    .option(
      '--invalid-share <share>',
      'share of deliberately invalid requests, each of which must be answered 4xx (0 to 1)',
      shareFlag,
      0.05,
    )
    .option(
      '--rate <n>',
      'cap the rate at n requests per second over all connections',
      wholeNumberFlag(1, 1_000_000),
    )
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      '\nThe agent rate-limits by client address (RATE_LIMIT_API=100/15m, RATE_LIMIT_AUTH=5/15m by default),\n' +
        'which would turn a load test into 429 answers. Run the agent for load tests with the limits off:\n' +
        '  RATE_LIMIT_API=off RATE_LIMIT_AUTH=off npx pulse agent\n' +
        '\nThe run registers users load-<run>-<n>@load.pledgr.test and creates pledges: use a test database.\n' +
        'Exit codes: 0 no 5xx answer, 1 at least one 5xx (or the API could not be reached), 2 bad usage.',
    )
    .action(async (flags: LoadFlags) => {
      const summary = await runLoad({
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
    });
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
