// The read replica's metrics on the collector's /metrics (only when DATABASE_READ_URL is set), computed at
// scrape time after a check of the replica when one is due: its lag, whether it can be read from, and which
// server served the collector's reads. Labels are bounded: `target` is replica or primary.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ReadTarget, ReplicaRoutingDb } from '../../core/db/read-replica.ts';

const targets: readonly ReadTarget[] = ['replica', 'primary'];

export function registerReplicaGauges(registry: Registry, db: ReplicaRoutingDb): void {
  new Gauge({
    name: 'pledgr_replica_lag_seconds',
    help: 'How far the read replica (DATABASE_READ_URL) is behind the primary, from WAL positions; no sample while it is unreachable or not a standby',
    registers: [registry],
    async collect() {
      await db.refresh();
      const lag = db.lagSeconds();
      this.reset();
      if (lag !== null) this.set(lag);
    },
  });
  new Gauge({
    name: 'pledgr_replica_fresh',
    help: '1 when the read replica is a streaming standby within DATABASE_READ_MAX_LAG_MS (reads go to it), else 0 (reads go to the primary)',
    registers: [registry],
    async collect() {
      await db.refresh();
      this.set(db.status().fresh ? 1 : 0);
    },
  });
  new Gauge({
    name: 'pledgr_replica_last_read',
    help: 'Which server served the latest KPI, cohort or scaling read: 1 for that target (replica or primary), 0 for the other',
    labelNames: ['target'],
    registers: [registry],
    collect() {
      const last = db.readsFrom();
      this.reset();
      if (last) for (const target of targets) this.set({ target }, target === last ? 1 : 0);
    },
  });
  const counted: Record<ReadTarget, number> = { replica: 0, primary: 0 };
  new Counter({
    name: 'pledgr_replica_reads_total',
    help: 'Reads (queries and read transactions) routed by the read database, by the server that served them',
    labelNames: ['target'],
    registers: [registry],
    collect() {
      const { reads } = db.status();
      for (const target of targets) {
        this.inc({ target }, reads[target] - counted[target]);
        counted[target] = reads[target];
      }
    },
  });
}
