// Starts the collector: database (migrated), tokens, KPI engine and HTTP server; stops them in order.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDb } from '../core/db/open-db.ts';
import type { Db } from '../core/db/types.ts';
import { KpiEngine } from '../core/kpi/kpi-engine.ts';
import { migrate } from '../core/migrate.ts';
import { createCollectorApp } from './app.ts';
import type { CollectorConfig } from './config.ts';
import { type ResolvedTokens, resolveTokens } from './tokens.ts';

export interface RunningCollector {
  readonly url: string;
  readonly tokens: ResolvedTokens;
  readonly db: Db;
  readonly engine: KpiEngine;
  /** What live health reads: the agents' metrics URLs, or the Prometheus server. */
  readonly healthTargets: readonly string[];
  stop(): Promise<void>;
}

export interface StartCollectorOptions {
  /** A database opened by the caller (`pulse start` shares one with the agent); left open on stop. */
  readonly db?: Db;
}

export async function startCollector(
  config: CollectorConfig,
  log: (message: string) => void = (message) => console.error(message),
  options: StartCollectorOptions = {},
): Promise<RunningCollector> {
  const db = options.db ?? (await openDb(config.database, 'pulse-collector'));
  const closeDb = options.db ? async () => undefined : () => db.close();
  try {
    await migrate(db);
    const tokens = await resolveTokens(config.database.dataDir, config);
    const engine = new KpiEngine(db, { currency: config.currency });
    const app = createCollectorApp({ db, engine, tokens: tokens.tokens, currency: config.currency, log });
    const server = await listen(app, config.port, config.host);
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      tokens,
      db,
      engine,
      healthTargets: config.health.prometheusUrl
        ? [config.health.prometheusUrl]
        : config.health.agentMetricsUrls,
      async stop() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await closeDb();
      },
    };
  } catch (error) {
    await closeDb();
    throw error;
  }
}

function listen(app: ReturnType<typeof createCollectorApp>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}
