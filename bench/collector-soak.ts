// `node --import tsx bench/collector-soak.ts [--read-families]`: the collector soak of
// test/support/collector-soak.ts (four agents, a simulated day of scrapes at the default interval and
// retention), printing heap and RSS at each quarter of the day; test/reliability/collector-soak.test.ts runs
// the same scenario and asserts on it.
import { pathToFileURL } from 'node:url';
import { runCollectorSoak } from '../test/support/collector-soak.ts';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(
    'collector soak: 4 agents, a simulated day at the default 5 s interval and 6 h retention (17,280 rounds)',
  );
  const result = await runCollectorSoak({
    capture: process.argv.includes('--read-families') ? 'read-families' : 'full',
    onCheckpoint: (c) =>
      console.log(
        `  ${String(c.percent).padStart(3)} % (round ${c.round}): heap used after GC ${mib(c.heapUsedBytes)}, ` +
          `RSS ${mib(c.rssBytes)}, ${c.instancesKept} instances kept, ${c.pointsStored} points stored`,
      ),
  });
  const [, half, , full] = result.checkpoints;
  console.log(
    `  before the first scrape: heap ${mib(result.heapBeforeBytes)}; capacity ${result.capacity} points per series; ` +
      `100 % / 50 % heap = ${((full?.heapUsedBytes ?? 0) / (half?.heapUsedBytes ?? 1)).toFixed(3)}; ` +
      `${(result.elapsedMs / 1000).toFixed(1)} s (${(result.elapsedMs / result.rounds).toFixed(2)} ms per round)`,
  );
}
