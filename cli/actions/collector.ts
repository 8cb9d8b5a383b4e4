// What `pulse collector` does (declared in ../commands/collector.ts): starts the collector in this process,
// prints its address and any generated token, and stops it on SIGTERM or SIGINT.
import { loadCollectorConfig } from '../../collector/config.ts';
import { startCollector } from '../../collector/server.ts';
import type { CliFlags } from '../config.ts';

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
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await collector.stop();
}
