// Sends alert notifications without ever holding up evaluation: each delivery runs in the background with
// its retries (deliver.ts), is tracked so stop() can abort it and tests can wait for it, and a failure is
// logged (alert name, channel, attempts, status — never the URL or personal data) and counted.
// Webhook: one POST per transition to firing or resolved. Alertmanager: the same transitions, and every
// firing alert again each resend interval, because Alertmanager forgets an alert whose endsAt passes.
import { toAlertmanagerAlert } from './alertmanager-payload.ts';
import { type DeliveryOutcome, defaultRetryPolicy, postJsonWithRetry, type RetryPolicy } from './deliver.ts';
import type { AlertStatus, AlertTransition } from './types.ts';
import { toWebhookPayload } from './webhook-payload.ts';

export interface NotifierSettings {
  readonly webhookUrl: string | null;
  /** Alertmanager's base URL; alerts go to {url}/api/v2/alerts. */
  readonly alertmanagerUrl: string | null;
  /** Where a person sees the alert (the dashboard's alerts view); sent as generatorURL. */
  readonly generatorUrl: string | null;
  /** Prometheus re-sends every minute; Alertmanager's default resolve_timeout is 5 min. */
  readonly alertmanagerResendMs: number;
  readonly retry: RetryPolicy;
  /** [0, 1) source of the backoff jitter. */
  readonly random?: () => number;
}

export const defaultNotifierSettings: NotifierSettings = {
  webhookUrl: null,
  alertmanagerUrl: null,
  generatorUrl: null,
  alertmanagerResendMs: 60_000,
  retry: defaultRetryPolicy,
};

export type DeliveryChannel = 'webhook' | 'alertmanager';

export interface DeliveryCounts {
  readonly sent: Readonly<Record<DeliveryChannel, number>>;
  readonly failed: Readonly<Record<DeliveryChannel, number>>;
}

export interface Notifier {
  /** Called for every transition; notifies on firing and resolved. Returns at once. */
  notifyTransition(transition: AlertTransition, now: number): void;
  /** Re-sends the firing alerts to Alertmanager when the resend interval has passed since the last time. */
  resendFiring(firing: readonly AlertStatus[], now: number): void;
  counts(): DeliveryCounts;
  /** Resolves when every delivery started so far has finished (tests; graceful stop). */
  idle(): Promise<void>;
  /** Aborts the deliveries still retrying and waits for them to end. */
  stop(): Promise<void>;
}

export function createNotifier(settings: NotifierSettings, log: (message: string) => void): Notifier {
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();
  const sent = { webhook: 0, alertmanager: 0 };
  const failed = { webhook: 0, alertmanager: 0 };
  let lastResendAt = Number.NEGATIVE_INFINITY;
  const options = { signal: abort.signal, ...(settings.random ? { random: settings.random } : {}) };

  function track(channel: DeliveryChannel, what: string, delivery: Promise<DeliveryOutcome>): void {
    const done = delivery
      .then((outcome) => {
        if (outcome.ok) {
          sent[channel] += 1;
          return;
        }
        failed[channel] += 1;
        log(
          `alerts: ${channel} delivery of ${what} failed after ${outcome.attempts} attempt(s): ${outcome.reason}`,
        );
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  }

  function toAlertmanager(alerts: readonly AlertStatus[], now: number, what: string): void {
    if (!settings.alertmanagerUrl || alerts.length === 0) return;
    const url = `${settings.alertmanagerUrl.replace(/\/+$/, '')}/api/v2/alerts`;
    const body = alerts.map((alert) =>
      toAlertmanagerAlert(alert, now, settings.alertmanagerResendMs, settings.generatorUrl),
    );
    track('alertmanager', what, postJsonWithRetry(url, body, settings.retry, options));
  }

  return {
    notifyTransition(transition, now) {
      const to = transition.to;
      if (to !== 'firing' && to !== 'resolved') return;
      const what = `${transition.alertname} (${to})`;
      if (settings.webhookUrl) {
        const payload = toWebhookPayload({ ...transition, to });
        track('webhook', what, postJsonWithRetry(settings.webhookUrl, payload, settings.retry, options));
      }
      toAlertmanager([transition], now, what);
    },
    resendFiring(firing, now) {
      if (now - lastResendAt < settings.alertmanagerResendMs) return;
      lastResendAt = now;
      toAlertmanager(firing, now, `${firing.length} firing alert(s)`);
    },
    counts: () => ({ sent: { ...sent }, failed: { ...failed } }),
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async stop() {
      abort.abort();
      await this.idle();
    },
  };
}
