// The shapes the alert service hands out: an alert's current status (GET /api/alerts, /metrics gauges,
// the dashboard) and a transition (server-sent events, notifications). Times are ISO-8601 UTC strings.
import type { AlertAudience, AlertSeverity } from '../../core/alerts/rules.ts';
import type { AlertStateName } from './state-machine.ts';

/** Time source of the evaluator; tests pass a clock they move by hand. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface AlertStatus {
  readonly alertname: string;
  readonly state: AlertStateName;
  readonly severity: AlertSeverity;
  readonly audience: AlertAudience;
  readonly value: number | null;
  readonly threshold: number;
  /** The rule's summary with the current value filled in. */
  readonly summary: string;
  readonly action: readonly string[];
  readonly activeSince: string | null;
  readonly firingSince: string | null;
  readonly resolvedAt: string | null;
  readonly changedAt: string | null;
  /** No flapping (core/alerts/rules.ts): once firing, it resolves only past this threshold; null: at `threshold`. */
  readonly resolveThreshold: number | null;
  /** Once firing, it keeps firing this long after its condition stopped; 0: none. */
  readonly keepFiringForSeconds: number;
  /** Set while firing only by its keep-firing time: when the condition was first found gone. */
  readonly keepFiringSince: string | null;
  /** alertname, severity, audience, family (core/alerts/labels.ts): sent to Alertmanager, stored with the history. */
  readonly labels: Readonly<Record<string, string>>;
}

export interface AlertTransition extends AlertStatus {
  readonly from: AlertStateName;
  /** The state entered (equals `state`). */
  readonly to: AlertStateName;
  readonly at: string;
}

export type AlertTransitionListener = (transition: AlertTransition) => void;

/** pledgr_alert_state's value: 0 inactive or resolved, 1 pending, 2 firing (as Prometheus' ALERTS). */
export function alertStateValue(state: AlertStateName): 0 | 1 | 2 {
  return state === 'firing' ? 2 : state === 'pending' ? 1 : 0;
}
