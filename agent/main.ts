// The agent process: run with the instrumentation preload (see agent/instrument.ts; `pulse agent` does it).
// Exits 0 after a graceful stop on SIGTERM/SIGINT, 1 if the stop overruns, 2 on a configuration error.
import { ConfigError } from '../core/errors.ts';
import { loadAgentConfig } from './config.ts';
import { startAgent } from './server.ts';

const hardStopMs = 10_000;

try {
  const config = loadAgentConfig();
  const agent = await startAgent(config);
  console.log(`Pledge API listening on ${agent.url} (${agent.db.kind} database ${agent.db.location})`);
  let stopping = false;
  const stop = async (signal: string) => {
    // Ctrl-C reaches this process twice (from the terminal and forwarded by `pulse agent`): stop once.
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests`);
    setTimeout(() => process.exit(1), hardStopMs).unref();
    await agent.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (error) {
  console.error(`pledgr-agent: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
