// Whether this collector holds the alert lease (collector/alerts/alert-lease.ts), on its own /metrics:
// pledgr_alert_leader 1 on the collector that evaluates and notifies alerts, 0 on a follower. Prometheus's
// `instance` tells the collectors apart; sum(pledgr_alert_leader) is 1 in a healthy pair (0 for longer than
// the lease: nobody pages; 2: a partition, both page). No labels.
import { Gauge, type Registry } from 'prom-client';

export const alertLeaderMetric = 'pledgr_alert_leader';

export function registerAlertLeaderGauge(registry: Registry, isLeader: () => boolean): void {
  new Gauge({
    name: alertLeaderMetric,
    help: 'Whether this collector holds the alert lease: 1 evaluates alerts and notifies, 0 follows (reads alert states from the database)',
    registers: [registry],
    collect() {
      this.set(isLeader() ? 1 : 0);
    },
  });
}
