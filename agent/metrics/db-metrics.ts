// Database metrics from the data layer's one observation point, for both databases: the query duration
// histogram (recorded exactly once per query, labelled by query name and operation — never the SQL text or
// its values) and the pool gauges, with a pool name that says which service and database it is.
import type { Attributes } from '@opentelemetry/api';
import type { Db } from '../../core/db/types.ts';
import { agentMeter } from './meter.ts';

/** OpenTelemetry's recommended boundaries for db.client.operation.duration, in seconds. */
const durationBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

export function instrumentDb(db: Db, poolName: string): () => void {
  const meter = agentMeter();
  const duration = meter.createHistogram('db.client.operation.duration', {
    description: 'Duration of database queries, by query name and operation',
    unit: 's',
    advice: { explicitBucketBoundaries: durationBuckets },
  });
  const unsubscribe = db.onQuery((event) => {
    const attributes: Attributes = {
      'db.system.name': 'postgresql',
      'db.query.summary': event.queryName,
      'db.operation.name': event.operation,
      'db.client.connection.pool.name': poolName,
    };
    if (event.failed) attributes['error.type'] = 'query_failed';
    duration.record(event.durationSeconds, attributes);
  });

  const pool = { 'db.client.connection.pool.name': poolName };
  const count = meter.createObservableUpDownCounter('db.client.connection.count', {
    description: 'Connections in the pool, by state (used or idle)',
    unit: '{connection}',
  });
  const max = meter.createObservableUpDownCounter('db.client.connection.max', {
    description: 'The most connections the pool may open',
    unit: '{connection}',
  });
  const pending = meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
    description: 'Callers waiting for a connection',
    unit: '{request}',
  });
  const observe: Parameters<typeof meter.addBatchObservableCallback>[0] = (result) => {
    const stats = db.poolStats();
    result.observe(count, stats.used, { ...pool, 'db.client.connection.state': 'used' });
    result.observe(count, stats.idle, { ...pool, 'db.client.connection.state': 'idle' });
    result.observe(max, stats.max, pool);
    result.observe(pending, stats.pending, pool);
  };
  meter.addBatchObservableCallback(observe, [count, max, pending]);
  return () => {
    unsubscribe();
    meter.removeBatchObservableCallback(observe, [count, max, pending]);
  };
}
