// The agent process: run with the instrumentation preload (see agent/instrument.ts; `pulse agent` does it).
// Exits 0 after a graceful stop on SIGTERM/SIGINT, 1 if the stop overruns SHUTDOWN_TIMEOUT_MS plus the
// telemetry flush (core/process/stop-on-signal.ts), 2 on a configuration error.
import { ConfigError } from '../core/errors.ts';
import { hardStopAfterDrain, stopOnSignal } from '../core/process/stop-on-signal.ts';
import { loadAgentConfig } from './config.ts';
import { startAgent } from './server.ts';

try {
  const config = loadAgentConfig();
  const agent = await startAgent(config);
  console.log(`Pledge API listening on ${agent.url} (${agent.db.kind} database ${agent.db.location})`);
  stopOnSignal({
    announce: 'finishing in-flight requests',
    hardStopMs: hardStopAfterDrain(config.shutdownTimeoutMs),
    stop: () => agent.stop(),
  });
} catch (error) {
  console.error(`pledgr-agent: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
