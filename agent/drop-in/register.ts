// The drop-in agent's entry (built to agent/dist/drop-in.js; loaded by agent/register.js through
// `node --import`). Before the application's first line runs, it sets up the metrics pipeline, subscribes to
// HTTP requests and to data layers' reports, and arranges for express, pg and sqlite3 to be patched as they
// load. The Prometheus endpoint opens when the application first listens. A configuration error or any
// fault here is reported once on stderr and the application starts uninstrumented: the agent never stops it.
import { Server } from 'node:http';
import { untrackedServer } from '../../core/telemetry/untracked-server.ts';
import { loadTelemetryConfig } from '../config.ts';
import { recordDataLayerReports } from './data-layer-reports.ts';
import { recordHttpServerRequests } from './http-server-metrics.ts';
import { patchModulesOnLoad } from './module-hooks.ts';
import { createTelemetry } from './telemetry.ts';
import { startTracesIfAsked } from './traces.ts';

/** Called by Pulse's own agent on shutdown to flush the metrics (and traces); absent when the agent is off. */
const shutdownKey = Symbol.for('pledgr.telemetry.shutdown');
const startedKey = Symbol.for('pledgr.dropin.started');

function openEndpointOnFirstListen(start: () => void): void {
  const originalListen = Server.prototype.listen;
  Server.prototype.listen = function listen(
    this: Server & { [untrackedServer]?: boolean },
    ...args: unknown[]
  ) {
    if (!this[untrackedServer]) {
      try {
        start();
      } catch (error) {
        process.stderr.write(
          `pulse agent: the metrics endpoint did not start (${(error as Error).message})\n`,
        );
      }
    }
    return originalListen.apply(this, args as Parameters<typeof originalListen>);
  } as typeof originalListen;
}

async function startDropIn(): Promise<void> {
  const global = globalThis as Record<symbol, unknown>;
  if (global[startedKey]) return;
  global[startedKey] = true;
  const telemetry = await createTelemetry(loadTelemetryConfig());
  recordHttpServerRequests();
  recordDataLayerReports();
  patchModulesOnLoad();
  openEndpointOnFirstListen(telemetry.startServing);
  const stopTraces = await startTracesIfAsked();
  global[shutdownKey] = async () => {
    await Promise.all([telemetry.shutdown(), stopTraces?.()]);
  };
}

if (process.env.OTEL_SDK_DISABLED !== 'true') {
  try {
    await startDropIn();
  } catch (error) {
    process.stderr.write(`pulse agent: not instrumenting this process (${(error as Error).message})\n`);
  }
}
