// node-postgres (`pg`): the duration of every query of every Client — pools run theirs on pooled clients,
// so Pool.query is counted once — in promise, callback and submittable (cursor, COPY stream) styles, with a
// bounded db.query.summary from the SQL text; and the gauges of every pg.Pool that has been used, named
// `<application_name> postgres://host:port/database` (never the user or password). Queries that a data layer
// reports itself (marked `reportedQuery`, as Pulse's own do) are left to it.
import type { EventEmitter } from 'node:events';
import { reportedQuery } from '../../core/telemetry/db-channels.ts';
import { recordOperation, registerPoolGauges, trackPool, uniquePoolName } from './db-instruments.ts';
import { switchOff } from './fault-guard.ts';
import { createSummaryCache } from './query-summary.ts';

const patched = Symbol.for('pledgr.pg.patched');
const poolNameKey = Symbol('pledgr.pg.poolName');
const summarize = createSummaryCache();

type Callback = (this: unknown, error: unknown, result: unknown) => unknown;
type QueryFn = (this: PgClient, ...args: unknown[]) => unknown;
interface PgClient {
  [poolNameKey]?: string;
}
interface PoolOptions {
  connectionString?: unknown;
  host?: unknown;
  port?: unknown;
  database?: unknown;
  user?: unknown;
  application_name?: unknown;
  max?: unknown;
}
interface PgPool extends EventEmitter {
  options?: PoolOptions;
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  ending?: boolean;
  [poolNameKey]?: string;
}

/** host:port/database of a pool's server, never its credentials. */
function serverOf(options: PoolOptions): string {
  if (typeof options.connectionString === 'string') {
    try {
      const url = new URL(options.connectionString);
      return `postgres://${url.host}${url.pathname}`;
    } catch {
      return 'postgres://unknown';
    }
  }
  const env = process.env;
  const host = String(options.host ?? env.PGHOST ?? 'localhost');
  const port = String(options.port ?? env.PGPORT ?? 5432);
  const database = String(options.database ?? env.PGDATABASE ?? options.user ?? env.PGUSER ?? '');
  return `postgres://${host}:${port}/${database}`;
}

function trackPgPool(pool: PgPool): void {
  const options = pool.options ?? {};
  const application = typeof options.application_name === 'string' ? `${options.application_name} ` : '';
  const name = uniquePoolName(`${application}${serverOf(options)}`);
  pool[poolNameKey] = name;
  pool.on('connect', (client: PgClient) => {
    client[poolNameKey] = name;
  });
  const ref = new WeakRef(pool);
  trackPool({
    name,
    open: () => {
      const live = ref.deref();
      return live !== undefined && !live.ending;
    },
    stats: () => {
      const live = ref.deref() as PgPool;
      const max = Number(live.options?.max ?? 10);
      return {
        max,
        used: live.totalCount - live.idleCount,
        idle: live.idleCount,
        pending: live.waitingCount,
      };
    },
  });
  registerPoolGauges();
}

function record(client: PgClient, text: unknown, started: number, error: unknown): void {
  const { summary, operation } = summarize(typeof text === 'string' ? text : '');
  recordOperation('pg', {
    system: 'postgresql',
    summary,
    operation,
    poolName: client[poolNameKey],
    durationSeconds: (performance.now() - started) / 1000,
    errorType: error ? ((error as { code?: unknown }).code ? 'db_error' : 'client_error') : undefined,
  });
}

function patchQuery(clientProto: Record<string, unknown>): void {
  const original = clientProto.query as QueryFn;
  clientProto.query = function query(this: PgClient, ...args: unknown[]) {
    const config = args[0] as
      | { text?: unknown; submit?: unknown; callback?: unknown; [reportedQuery]?: boolean }
      | string;
    if (typeof config === 'object' && config !== null && config[reportedQuery])
      return original.apply(this, args);
    const text = typeof config === 'string' ? config : config?.text;
    const started = performance.now();
    const client = this;
    // A submittable (pg-cursor, pg-query-stream, pg-copy-streams) reports through its own events.
    if (typeof config === 'object' && config !== null && typeof config.submit === 'function') {
      const result = original.apply(this, args);
      const emitter = config as unknown as EventEmitter;
      if (typeof emitter.once === 'function') {
        let done = false;
        const finish = (error?: unknown) => {
          if (done) return;
          done = true;
          record(client, text, started, error);
        };
        emitter.once('end', () => finish());
        emitter.once('finish', () => finish());
        emitter.once('error', finish);
      }
      return result;
    }
    const callbackIndex = typeof args[1] === 'function' ? 1 : typeof args[2] === 'function' ? 2 : -1;
    if (callbackIndex >= 0) {
      const callback = args[callbackIndex] as Callback;
      args[callbackIndex] = function queryDone(this: unknown, error: unknown, result: unknown) {
        record(client, text, started, error);
        return callback.call(this, error, result);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args);
    if (!result || typeof (result as Promise<unknown>).then !== 'function') return result;
    // The promise handed back settles exactly as pg's does; an unhandled rejection stays unhandled.
    return (result as Promise<unknown>).then(
      (value) => {
        record(client, text, started, undefined);
        return value;
      },
      (error: unknown) => {
        record(client, text, started, error ?? 'failed');
        throw error;
      },
    );
  };
}

function patchPoolConnect(poolProto: Record<string, unknown>): void {
  const original = poolProto.connect as (this: PgPool, ...args: unknown[]) => unknown;
  poolProto.connect = function connect(this: PgPool, ...args: unknown[]) {
    if (this[poolNameKey] === undefined) {
      try {
        trackPgPool(this);
      } catch (error) {
        this[poolNameKey] = '';
        switchOff('pg pool', error);
      }
    }
    return original.apply(this, args);
  };
}

/** Patches one loaded copy of pg (its exports object); a second call for the same copy does nothing. */
export function patchPg(pg: unknown): void {
  try {
    const exported = pg as {
      Client?: { prototype?: Record<string, unknown> };
      Pool?: { prototype?: Record<string, unknown> };
    };
    const clientProto = exported.Client?.prototype;
    const poolProto = exported.Pool?.prototype;
    if (typeof clientProto?.query !== 'function')
      throw new Error('this version of pg is not recognised (no Client.query)');
    if (clientProto[patched as never]) return;
    (clientProto as Record<symbol, unknown>)[patched] = true;
    patchQuery(clientProto);
    if (typeof poolProto?.connect === 'function') patchPoolConnect(poolProto);
  } catch (error) {
    switchOff('pg', error);
  }
}
