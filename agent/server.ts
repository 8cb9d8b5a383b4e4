// Starts the pledge API: database (migrated), optional Redis for shared rate limits and the profile cache (its
// own fail-fast connection), and the HTTP server; its metrics come from the drop-in agent loaded before it
// (agent/register.js). Stopping is graceful: stop accepting, let in-flight requests finish (up to the shutdown
// timeout), flush telemetry, close Redis and the database.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { openDb } from '../core/db/open-db.ts';
import type { Db } from '../core/db/types.ts';
import { listen } from '../core/http/client-errors.ts';
import { migrate } from '../core/migrate.ts';
import { createAgentApp } from './app.ts';
import { createRedisProfileCache, type ProfileCache, profileCacheConnection } from './cache/profile-cache.ts';
import type { AgentConfig } from './config.ts';

export interface RunningAgent {
  readonly url: string;
  readonly db: Db;
  stop(): Promise<void>;
}

const telemetryShutdownKey = Symbol.for('pledgr.telemetry.shutdown');

export interface StartAgentOptions {
  /** A database opened by the caller (`pulse start` shares one with the collector); left open on stop. */
  readonly db?: Db;
}

export async function startAgent(
  config: AgentConfig,
  log: (message: string) => void = console.error,
  options: StartAgentOptions = {},
): Promise<RunningAgent> {
  const db = options.db ?? (await openDb(config.database, 'pledgr-agent'));
  const closeDb = options.db ? async () => undefined : () => db.close();
  let redis: Redis | undefined;
  let cacheRedis: Redis | undefined;
  try {
    await migrate(db);
    if (config.redisUrl) {
      redis = new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
      await redis.connect();
      cacheRedis = profileCacheConnection(redis);
    }
    const profiles: ProfileCache | undefined = cacheRedis
      ? createRedisProfileCache({ redis: cacheRedis, log })
      : undefined;
    let shuttingDown = false;
    const app = createAgentApp({
      db,
      config,
      ...(redis ? { redis } : {}),
      ...(profiles ? { profiles } : {}),
      isShuttingDown: () => shuttingDown,
      log,
    });
    const server = await listen(app, config.port, config.host, config.http);
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      db,
      async stop() {
        shuttingDown = true;
        await closeGracefully(server, config.shutdownTimeoutMs);
        const flush = (globalThis as Record<symbol, unknown>)[telemetryShutdownKey] as
          | (() => Promise<void>)
          | undefined;
        await flush?.().catch((error: unknown) => log(`telemetry flush failed: ${(error as Error).message}`));
        await redis?.quit().catch(() => undefined);
        cacheRedis?.disconnect();
        await closeDb();
      },
    };
  } catch (error) {
    redis?.disconnect();
    cacheRedis?.disconnect();
    await closeDb();
    throw error;
  }
}

/** Stops accepting, closes idle keep-alive sockets, waits for in-flight requests, then forces the rest. */
function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    // A keep-alive client that sends its next request at once never leaves its socket idle: answer it with
    // `Connection: close`, or server.close() waits out the timeout (and the process exits 1). Sockets whose
    // request was already running turn idle later: sweep them as they do, not after keepAliveTimeout.
    server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearTimeout(force);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
