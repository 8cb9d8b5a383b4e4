// `npm run bench`: runs every benchmark in turn and prints one line each (or why it was skipped).
import { agentBenchmark } from './agent.bench.ts';
import { cacheBenchmark } from './cache.bench.ts';
import { cliBenchmark } from './cli.bench.ts';
import { dashboardBenchmark } from './dashboard.bench.ts';
import { demoHealthBenchmark } from './demo-health.bench.ts';
import { type Benchmark, SkipBenchmark } from './harness.ts';
import { kpiBenchmark } from './kpi.bench.ts';
import { kpiBurstBenchmark } from './kpi-burst.bench.ts';
import { legacyImportBenchmark } from './legacy-import.bench.ts';
import { seedBenchmark } from './seed.bench.ts';

const benchmarks: Benchmark[] = [
  seedBenchmark,
  kpiBenchmark,
  kpiBurstBenchmark,
  legacyImportBenchmark,
  agentBenchmark,
  cacheBenchmark,
  dashboardBenchmark,
  demoHealthBenchmark,
  cliBenchmark,
];

const only = process.argv[2];
let failed = false;
for (const benchmark of benchmarks) {
  if (only && benchmark.name !== only) continue;
  try {
    console.log(await benchmark.run());
  } catch (error) {
    if (error instanceof SkipBenchmark) {
      console.log(`${benchmark.name}: skipped — ${error.message}`);
    } else {
      failed = true;
      console.error(`${benchmark.name}: failed — ${(error as Error).stack}`);
    }
  }
}
process.exitCode = failed ? 1 : 0;
