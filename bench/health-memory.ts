// Memory of the built-in health scraper over a long run: a local stub target serves a real agent /metrics
// capture (test/health/fixtures/agent-metrics.txt) with counters that grow every round, the scraper runs
// scrapeOnce() with a clock advanced by one interval per round (no waiting), and the retention is short so
// the ring buffers wrap hundreds of times. Every 20,000 rounds the agent "restarts" under a new instance id
// (counters reset), so vanished instances must age out too. Prints heap used after a full GC at 10 %, 50 %
// and 100 % of the run.
//   node --import tsx bench/health-memory.ts            (HEALTH_BENCH_ROUNDS, default 200000)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createScrapeSource } from '../collector/health/scrape-source.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const rounds = Number(process.env.HEALTH_BENCH_ROUNDS ?? 200_000);
const intervalMs = 1000;
const retentionMs = 10 * 60_000; // capacity 600 points per series: the buffers wrap rounds / 600 times
const restartEvery = 20_000;

const capture = readFileSync(new URL('../test/health/fixtures/agent-metrics.txt', import.meta.url), 'utf8');
const capturedInstance = /service_instance_id="([^"]+)"/.exec(capture)?.[1] ?? 'instance';
// Counter lines (histogram buckets, counts, sums, *_total) grow by their captured value every round, which
// keeps every histogram consistent (count = +Inf bucket) and makes every delta non-zero.
const lines = capture.split('\n').map((line) => {
  const counter = /^[a-z_]+(_bucket|_count|_sum|_total)\{/.test(line);
  const match = /^(.*\}) (\S+)$/.exec(line);
  return match && counter ? { head: match[1] as string, base: Number(match[2]) } : { text: line };
});

let round = 0;
function body(): string {
  const generation = Math.floor(round / restartEvery);
  const sinceRestart = (round % restartEvery) + 1;
  return lines
    .map((line) => ('text' in line ? line.text : `${line.head} ${line.base * sinceRestart}`))
    .join('\n')
    .replaceAll(capturedInstance, `${capturedInstance}-${generation}`);
}

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body());
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/metrics`;

let now = Date.UTC(2026, 0, 1);
const source = createScrapeSource({ targets: [url], intervalMs, retentionMs }, { now: () => now });

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const checkpoints = new Set([Math.round(rounds * 0.1), Math.round(rounds * 0.5), rounds]);
const started = Date.now();
console.log(
  `health scraper memory: ${rounds} rounds of a ${lines.length}-line capture, interval ${intervalMs} ms, retention ${retentionMs / 60_000} min (capacity ${source.capacity})`,
);
gc();
console.log(`  before the first scrape: heap used ${mib(process.memoryUsage().heapUsed)}`);
for (round = 0; round < rounds; ) {
  await source.scrapeOnce();
  now += intervalMs;
  round++;
  if (checkpoints.has(round)) {
    gc();
    gc();
    const report = await source.report(retentionMs / 1000);
    const points = report.instances.reduce(
      (sum, instance) => sum + instance.points.length,
      report.total.length,
    );
    console.log(
      `  ${String(Math.round((round / rounds) * 100)).padStart(3)} % (${round} rounds, ${((Date.now() - started) / 1000).toFixed(0)} s): ` +
        `heap used after GC ${mib(process.memoryUsage().heapUsed)}, rss ${mib(process.memoryUsage().rss)}, ` +
        `${report.instances.length} instance(s) kept, ${points} points stored, newest total ${report.total.at(-1)?.requestsPerSecond?.toFixed(1)} req/s`,
    );
  }
}
server.close();
