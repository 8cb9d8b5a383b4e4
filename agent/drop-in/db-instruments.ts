// The database instruments every client patch shares: `db.client.operation.duration` (seconds, by
// db.system.name, db.query.summary, db.operation.name, pool name and error.type) and the pool gauges
// (db.client.connection.count by state, .max, .pending_requests), read from each live pool at scrape time.
import { type Attributes, metrics } from '@opentelemetry/api';
import { attribute, instrument } from '../../core/telemetry/agent-metric-names.ts';
import type { PoolStatsSnapshot } from '../../core/telemetry/db-channels.ts';
import { guarded } from './fault-guard.ts';

/** OpenTelemetry's recommended boundaries for db.client.operation.duration, in seconds. */
const durationBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

export interface OperationRecord {
  readonly system: string;
  readonly summary: string;
  readonly operation: string;
  readonly poolName?: string | undefined;
  readonly durationSeconds: number;
  /** An error class name (`error.type`), or undefined when the operation succeeded. */
  readonly errorType?: string | undefined;
}

export interface TrackedPool {
  readonly name: string;
  readonly stats: () => PoolStatsSnapshot;
  readonly open: () => boolean;
}

let duration: ReturnType<ReturnType<typeof metrics.getMeter>['createHistogram']> | undefined;
const pools = new Map<string, TrackedPool>();

function histogram() {
  duration ??= metrics.getMeter('pledgr-agent').createHistogram(instrument.dbDuration, {
    description: 'Duration of database operations, by query summary and operation',
    unit: 's',
    advice: { explicitBucketBoundaries: durationBuckets },
  });
  return duration;
}

export function recordOperation(signal: string, record: OperationRecord): void {
  guarded(signal, () => {
    const attributes: Attributes = {
      'db.system.name': record.system,
      [attribute.querySummary]: record.summary,
      'db.operation.name': record.operation,
    };
    if (record.poolName !== undefined) attributes['db.client.connection.pool.name'] = record.poolName;
    if (record.errorType !== undefined) attributes['error.type'] = record.errorType;
    histogram().record(record.durationSeconds, attributes);
  });
}

/** A name not yet taken by a live pool: `name`, else `name #2`, `name #3`… */
export function uniquePoolName(name: string): string {
  for (const [taken, pool] of pools) if (!pool.open()) pools.delete(taken);
  if (!pools.has(name)) return name;
  let n = 2;
  while (pools.has(`${name} #${n}`)) n += 1;
  return `${name} #${n}`;
}

export function trackPool(pool: TrackedPool): void {
  pools.set(pool.name, pool);
}

let gaugesRegistered = false;

/** Registers the pool gauges once; each collection reads every pool that is still open. */
export function registerPoolGauges(): void {
  if (gaugesRegistered) return;
  gaugesRegistered = true;
  const meter = metrics.getMeter('pledgr-agent');
  const count = meter.createObservableUpDownCounter(instrument.poolConnections, {
    description: 'Connections in the pool, by state (used or idle)',
    unit: '{connection}',
  });
  const max = meter.createObservableUpDownCounter(instrument.poolMax, {
    description: 'The most connections the pool may open',
    unit: '{connection}',
  });
  const pending = meter.createObservableUpDownCounter(instrument.poolPending, {
    description: 'Callers waiting for a connection',
    unit: '{request}',
  });
  meter.addBatchObservableCallback(
    (result) => {
      for (const [name, pool] of pools) {
        if (!pool.open()) {
          pools.delete(name);
          continue;
        }
        guarded('pool', () => {
          const stats = pool.stats();
          const attributes = { 'db.client.connection.pool.name': name };
          result.observe(count, stats.used, { ...attributes, [attribute.connectionState]: 'used' });
          result.observe(count, stats.idle, { ...attributes, [attribute.connectionState]: 'idle' });
          result.observe(max, stats.max, attributes);
          result.observe(pending, stats.pending, attributes);
        });
      }
    },
    [count, max, pending],
  );
}
