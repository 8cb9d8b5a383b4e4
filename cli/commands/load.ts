// `pulse load`: sends a realistic traffic mix (browsing, sign-ups, logins, pledges, changes, cancellations
// and a share of invalid requests) to a running pledge API with autocannon, then prints a summary.
// Exit code 1 when any answer was a 5xx.
// Declares the command only; the work is in ../actions/load.ts, imported when the command runs.
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { LoadFlags } from '../actions/load.ts';
import { wholeNumberFlag } from '../arguments.ts';

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
      const { runLoad } = await import('../actions/load.ts');
      await runLoad(flags);
    });
}
