// The JSON POSTed to ALERT_WEBHOOK_URL on each transition to firing or resolved. Versioned so a receiver
// can tell a later shape apart. No personal data: only the rule's fields and the measured value.
import type { AlertTransition } from './types.ts';

export interface WebhookPayload {
  readonly version: 1;
  readonly source: 'pledgr-pulse';
  readonly status: 'firing' | 'resolved';
  readonly alertname: string;
  readonly severity: AlertTransition['severity'];
  readonly audience: AlertTransition['audience'];
  readonly summary: string;
  readonly action: readonly string[];
  readonly value: number | null;
  readonly threshold: number;
  readonly startsAt: string | null;
  /** The resolution time; null while firing. */
  readonly endsAt: string | null;
  readonly at: string;
  readonly labels: Readonly<Record<string, string>>;
}

export function toWebhookPayload(
  transition: AlertTransition & { to: 'firing' | 'resolved' },
): WebhookPayload {
  return {
    version: 1,
    source: 'pledgr-pulse',
    status: transition.to,
    alertname: transition.alertname,
    severity: transition.severity,
    audience: transition.audience,
    summary: transition.summary,
    action: transition.action,
    value: transition.value,
    threshold: transition.threshold,
    startsAt: transition.activeSince,
    endsAt: transition.to === 'resolved' ? transition.resolvedAt : null,
    at: transition.at,
    labels: transition.labels,
  };
}
