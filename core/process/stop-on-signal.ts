// One way every long-running process of Pulse stops (the agent, `pulse collector`, `pulse start`): on the
// first SIGTERM or SIGINT (Ctrl-C reaches a child twice — from the terminal and forwarded by `pulse`), run
// `stop` once and exit 0; if it overruns `hardStopMs`, exit 1. The hard stop is derived from the service's
// own drain setting plus what follows the drain, so a long SHUTDOWN_TIMEOUT_MS is honoured, not cut short.

export interface StopOnSignalOptions {
  /** Finishes in-flight work and closes everything (server drain, telemetry flush, database). */
  readonly stop: () => Promise<void>;
  /** The longest the whole stop may take before the process exits 1. */
  readonly hardStopMs: number;
  /** Printed when the signal arrives, after "SIGTERM: ". */
  readonly announce: string;
  readonly log?: (line: string) => void;
  /** Tests pass their own; the default ends the process. */
  readonly exit?: (code: number) => void;
}

/** Time the stop needs after the HTTP drain: a telemetry flush (OTLP export) and closing pools. */
export const afterDrainAllowanceMs = 5_000;

/** The hard stop for a service whose HTTP drain may last `drainTimeoutMs`. */
export function hardStopAfterDrain(drainTimeoutMs: number): number {
  return drainTimeoutMs + afterDrainAllowanceMs;
}

export function stopOnSignal(options: StopOnSignalOptions): void {
  const log = options.log ?? ((line: string) => console.log(line));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: ${options.announce}`);
    const hardStop = setTimeout(() => {
      log(`${signal}: stopping overran ${options.hardStopMs} ms; exiting 1`);
      exit(1);
    }, options.hardStopMs);
    hardStop.unref();
    try {
      await options.stop();
      clearTimeout(hardStop);
      exit(0);
    } catch (error) {
      clearTimeout(hardStop);
      log(`${signal}: stopping failed: ${(error as Error).message}`);
      exit(1);
    }
  };
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
  process.on('SIGINT', () => void onSignal('SIGINT'));
}
