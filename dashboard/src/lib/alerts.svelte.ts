// The alerts as the Overview and Alerts views show them: GET /api/alerts, reloaded on every 'alert' event
// of the live stream, with the active ones ordered firing before pending. Call from a component's script.
import type { AlertStatus, AlertsResponse } from './api-types.ts';
import { live } from './live.svelte.ts';
import { type Resource, resource } from './resource.svelte.ts';

export interface LiveAlerts {
  readonly resource: Resource<AlertsResponse>;
  /** Active alerts, firing first. */
  readonly active: readonly AlertStatus[];
}

export function liveAlerts(historyLimit: number): LiveAlerts {
  const path = `/api/alerts?limit=${historyLimit}`;
  const alerts = resource<AlertsResponse>(() => path);
  const active = $derived(
    [...(alerts.data?.active ?? [])].sort(
      (a, b) => Number(b.state === 'firing') - Number(a.state === 'firing'),
    ),
  );
  $effect(() =>
    live.subscribe((event) => {
      if (event.name === 'alert') void alerts.load(path);
    }),
  );
  return {
    resource: alerts,
    get active() {
      return active;
    },
  };
}
