// The whole system in one process, for `pulse start`: one database (PGlite by default) shared by the pledge
// API and the collector, migrated, with demo data when asked and empty; the agent with its metrics; the
// collector scraping that agent; and, with --demo, steady synthetic traffic. Stopping reverses the order:
// traffic, collector, agent, database. Runs under the OpenTelemetry preload (see cli/spawn-instrumented.ts).
import type { AgentConfig, TelemetryConfig } from '../../agent/config.ts';
import { type RunningAgent, startAgent } from '../../agent/server.ts';
import type { CollectorConfig } from '../../collector/config.ts';
import { type RunningCollector, startCollector } from '../../collector/server.ts';
import { openDb } from '../../core/db/open-db.ts';
import { defineQuery } from '../../core/db/query.ts';
import type { Db } from '../../core/db/types.ts';
import { migrate } from '../../core/migrate.ts';
import { seedDemoData } from '../../core/seed/seed-demo.ts';
import { demoSize } from './demo-size.ts';
import { demoTraffic, type SyntheticTraffic, startSyntheticTraffic } from './synthetic-traffic.ts';

const countRows = defineQuery<Record<string, never>, { users: number; pledges: number }>(
  'start.countRows',
  'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM pledges) AS pledges',
);

export interface SystemSettings {
  readonly agent: AgentConfig;
  readonly telemetry: TelemetryConfig | null;
  readonly collector: CollectorConfig;
  readonly demo: boolean;
  /** Where the embedded database executes (PULSE_EMBEDDED_THREAD); ignored on PostgreSQL. */
  readonly embeddedThread: 'worker' | 'main';
}

export interface RunningSystem {
  readonly db: Db;
  readonly agent: RunningAgent;
  readonly collector: RunningCollector;
  readonly traffic: SyntheticTraffic | null;
  readonly counts: { users: number; pledges: number };
  readonly seeded: boolean;
  readonly agentMetricsUrl: string | null;
  stop(): Promise<void>;
}

export async function runSystem(
  settings: SystemSettings,
  log: (message: string) => void,
): Promise<RunningSystem> {
  const db = await openDb(settings.collector.database, 'pulse-start', {
    thread: settings.embeddedThread,
    initdbInThread: true,
  });
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop().catch((error: Error) => log(error.message));
    await db.close();
  };
  try {
    await migrate(db);
    const [before] = await db.query(countRows, {});
    const seeded = settings.demo && before?.users === 0;
    if (seeded) await seedDemoData(db, { ...demoSize, until: new Date(), append: false });
    const [counts] = await db.query(countRows, {});

    const agent = await startAgent(settings.agent, log, { db });
    started.push(agent);
    const agentMetricsUrl = settings.telemetry
      ? `http://${settings.telemetry.metricsHost}:${settings.telemetry.metricsPort}/metrics`
      : null;
    const { health } = settings.collector;
    const collectorConfig: CollectorConfig = {
      ...settings.collector,
      health: {
        ...health,
        // The collector scrapes the embedded agent unless told otherwise.
        agentMetricsUrls:
          health.agentMetricsUrls.length > 0 || !agentMetricsUrl
            ? health.agentMetricsUrls
            : [agentMetricsUrl],
      },
    };
    // On the embedded database the collector's reads wait behind the pledge API's (one statement at a time).
    const collector = await startCollector(collectorConfig, log, { db: db.background?.() ?? db });
    started.push(collector);
    const traffic = settings.demo ? startSyntheticTraffic({ url: agent.url, ...demoTraffic }, log) : null;
    if (traffic) started.push(traffic);
    return {
      db,
      agent,
      collector,
      traffic,
      counts: counts ?? { users: 0, pledges: 0 },
      seeded,
      agentMetricsUrl,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
