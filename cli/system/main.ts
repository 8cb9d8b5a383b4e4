// The process behind `pulse start`, run under the OpenTelemetry preload: starts the whole system (see
// run-system.ts), prints where everything is and the tokens, and stops it all cleanly on Ctrl-C or SIGTERM.
// Exits 0 after a clean stop, 1 if stopping overran or starting failed, 2 on a configuration error.
import { ConfigError } from '../../core/errors.ts';
import { hardStopAfterDrain, stopOnSignal } from '../../core/process/stop-on-signal.ts';
import { type RunningSystem, runSystem, type SystemSettings } from './run-system.ts';
import { loadSystemSettings } from './system-config.ts';

/** After the agent's drain and flush: the collector, the traffic and the embedded database close. */
const afterAgentMs = 10_000;

function banner(system: RunningSystem, settings: SystemSettings): string {
  const { collector, agent, counts } = system;
  const { tokens, generated, file } = collector.tokens;
  const lines = [
    `Pledgr Pulse on the ${system.db.kind} database ${system.db.location}: ${counts.users.toLocaleString('en-US')} users, ` +
      `${counts.pledges.toLocaleString('en-US')} pledges${system.seeded ? ' (demo data just written)' : ''}.`,
    `  dashboard and collector API  ${collector.url}/`,
    `  pledge API                   ${agent.url}/api/artists`,
    system.agentMetricsUrl
      ? `  agent metrics (Prometheus)   ${system.agentMetricsUrl}`
      : '  agent metrics                off (OTEL_SDK_DISABLED=true)',
    `  live health                  scraping ${collector.healthTargets.join(', ') || 'nothing'}`,
    system.traffic
      ? '  synthetic traffic            on (the pulse load mix, ~20 requests/s)'
      : '  synthetic traffic            off (add --demo)',
  ];
  for (const role of ['founder', 'operator'] as const) {
    lines.push(
      generated.includes(role)
        ? `  ${role} token (generated, stored in ${file}): ${tokens[role]}`
        : `  ${role} token: as set before (PULSE_${role.toUpperCase()}_TOKEN or ${file})`,
    );
  }
  if (settings.demo) lines.push('  live numbers appear on the dashboard within a few scrape intervals.');
  lines.push('Stop with Ctrl-C.');
  return `${lines.join('\n')}\n`;
}

try {
  const settings = loadSystemSettings(process.env);
  const system = await runSystem(settings, (message) => console.error(message));
  process.stdout.write(banner(system, settings));
  stopOnSignal({
    announce: 'stopping traffic, collector, agent and database',
    hardStopMs: hardStopAfterDrain(settings.agent.shutdownTimeoutMs) + afterAgentMs,
    stop: () => system.stop(),
  });
} catch (error) {
  console.error(`pulse start: ${(error as Error).message}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
