// Alertmanager's v2 API alert (POST /api/v2/alerts takes an array of them): labels identify the alert
// (alertname, severity, …), annotations carry the summary and the action, startsAt is when the condition
// became true, endsAt the resolution time — or, for a firing alert, a time a few resend intervals ahead,
// as Prometheus does, so Alertmanager resolves it by itself if the collector stops re-sending.
import type { AlertStatus } from './types.ts';

export interface AlertmanagerAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly action: string };
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL?: string;
}

/** Prometheus holds a firing alert's endsAt 4 × its resend delay ahead. */
export const firingEndsAfterResends = 4;

export function toAlertmanagerAlert(
  alert: AlertStatus,
  now: number,
  resendIntervalMs: number,
  generatorUrl: string | null,
): AlertmanagerAlert {
  const endsAt =
    alert.state === 'firing'
      ? new Date(now + firingEndsAfterResends * resendIntervalMs).toISOString()
      : (alert.resolvedAt ?? new Date(now).toISOString());
  return {
    labels: alert.labels,
    annotations: { summary: alert.summary, action: alert.action.join('; ') },
    startsAt: alert.activeSince ?? alert.firingSince ?? new Date(now).toISOString(),
    endsAt,
    ...(generatorUrl ? { generatorURL: generatorUrl } : {}),
  };
}
