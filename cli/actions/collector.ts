// What `pulse collector` does (declared in ../commands/collector.ts): starts the collector in this process,
// prints its address and any generated token, and stops it on SIGTERM or SIGINT (exit 0; 1 if stopping
// overruns its hard stop).
import { loadCollectorConfig } from '../../collector/config.ts';
import { startCollector } from '../../collector/server.ts';
import { stopOnSignal } from '../../core/process/stop-on-signal.ts';
import type { CliFlags } from '../config.ts';

/** The collector's own stop: close the server (ending event streams), the alert lease, the database. */
const collectorHardStopMs = 15_000;

export async function runCollector(globals: CliFlags, flags: { port?: number }): Promise<void> {
  const config = loadCollectorConfig(process.env, { ...globals, port: flags.port });
  const collector = await startCollector(config);
  console.log(
    `Collector listening on ${collector.url} (${collector.db.kind} database ${collector.db.location})`,
  );
  for (const role of collector.tokens.generated) {
    console.log(
      `Generated ${role} token (stored in ${collector.tokens.file}): ${collector.tokens.tokens[role]}`,
    );
  }
  stopOnSignal({
    announce: 'stopping the collector',
    hardStopMs: collectorHardStopMs,
    stop: () => collector.stop(),
  });
}
