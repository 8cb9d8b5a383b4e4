// A small benchmark harness: time a task several times, keep the median, and print one line per benchmark
// with the figures and the ratios measured side by side in the same run.

export interface Sample {
  readonly label: string;
  /** Median seconds over the runs. */
  readonly seconds: number;
  /** Optional work done per run (rows, requests) for a throughput figure. */
  readonly units?: number;
}

export interface Benchmark {
  readonly name: string;
  /** Returns the line to print, or throws a SkipBenchmark with the reason. */
  run(): Promise<string>;
}

export class SkipBenchmark extends Error {
  override readonly name = 'SkipBenchmark';
}

/** The middle value (the upper of the two middles for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Runs `prepare` (untimed) then `task` (timed) `runs` times and returns the median duration in seconds. */
export async function medianSeconds<T>(
  runs: number,
  prepare: () => Promise<T>,
  task: (prepared: T) => Promise<void>,
) {
  const durations: number[] = [];
  for (let i = 0; i < runs; i++) {
    const prepared = await prepare();
    const started = performance.now();
    await task(prepared);
    durations.push((performance.now() - started) / 1000);
  }
  return median(durations);
}

export function describeSample(sample: Sample, unit: string): string {
  const rate = sample.units
    ? ` (${Math.round(sample.units / sample.seconds).toLocaleString('en-US')} ${unit}/s)`
    : '';
  return `${sample.label} ${sample.seconds.toFixed(2)} s${rate}`;
}

/** "2.05×": how many times faster `fast` is than `slow`. */
export function ratio(slow: Sample, fast: Sample): string {
  return `${(slow.seconds / fast.seconds).toFixed(2)}×`;
}
