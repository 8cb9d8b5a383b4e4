// One page when the collector and Prometheus both send a rule to a real Alertmanager: the collector's alert
// (its own labels, as the alert service hands them to the notifier) and Prometheus's (the committed
// generated rule's labels, alertname, and the series labels of the rule's result after prometheus.yml's
// alert_relabel_configs) have identical label sets, so Alertmanager holds one alert and a second sender
// adds no notification. Without the relabelling the same two senders make two alerts and a second page.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAlertService } from '../../collector/alerts/alert-service.ts';
import { toAlertmanagerAlert } from '../../collector/alerts/alertmanager-payload.ts';
import type { AlertStatus } from '../../collector/alerts/types.ts';
import { openPgliteDb } from '../../core/db/pglite-db.ts';
import type { Db } from '../../core/db/types.ts';
import {
  describeWithAlertmanager,
  type RunningAlertmanager,
  startAlertmanager,
} from '../support/alertmanager-server.ts';
import { fixedInputs, manualClock, startReceiver, type TestReceiver } from './alert-support.ts';

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));

interface PromRule {
  readonly alert?: string;
  readonly labels?: Record<string, string>;
}

/** The labels Prometheus sends for a generated rule whose result carried `series` labels. */
async function prometheusLabels(
  alertname: string,
  series: Record<string, string>,
  relabel: boolean,
): Promise<Record<string, string>> {
  const rules = parse(await readFile(root('prometheus/rules/pledgr-alerts.yml'), 'utf8')) as {
    groups: { rules: PromRule[] }[];
  };
  const rule = rules.groups.flatMap((group) => group.rules).find((r) => r.alert === alertname);
  if (!rule) throw new Error(`${alertname} is not in the generated rules`);
  const labels: Record<string, string> = { ...series, ...rule.labels, alertname };
  if (!relabel) return labels;
  const config = parse(await readFile(root('prometheus/prometheus.yml'), 'utf8')) as {
    alerting: { alert_relabel_configs?: { action: string; regex: string }[] };
  };
  for (const step of config.alerting.alert_relabel_configs ?? []) {
    if (step.action !== 'labeldrop') throw new Error(`unexpected relabel action ${step.action}`);
    const drop = new RegExp(`^(?:${step.regex})$`); // Prometheus anchors relabel regexes
    for (const name of Object.keys(labels)) if (drop.test(name)) delete labels[name];
  }
  return labels;
}

const amConfig = (webhook: string) => `
route:
  receiver: hook
  group_by: ["alertname", "severity"]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: "${webhook}"
        send_resolved: false
`;

describeWithAlertmanager('the collector and Prometheus sending one rule to Alertmanager', () => {
  let db: Db;
  let receiver: TestReceiver;
  let alertmanager: RunningAlertmanager;
  let statusOf: (name: string) => AlertStatus;

  beforeAll(async () => {
    db = await openPgliteDb({ dataDir: 'memory://' });
    const clock = manualClock();
    const service = createAlertService({ db, inputs: fixedInputs(clock), clock, log: () => undefined });
    statusOf = (name) => {
      const status = service.states().find((s) => s.alertname === name);
      if (!status) throw new Error(`${name} is not a catalog rule`);
      return { ...status, state: 'firing', firingSince: new Date().toISOString() };
    };
    receiver = await startReceiver();
    alertmanager = await startAlertmanager(amConfig(receiver.url));
  }, 30_000);

  afterAll(async () => {
    await alertmanager?.stop();
    await receiver?.close();
    await db?.close();
  });

  const post = async (alerts: unknown[]) => {
    const response = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(response.status).toBe(200);
  };
  const notificationsOf = (alertname: string) =>
    receiver.requests.filter(
      (r) => (r.body as { groupLabels?: Record<string, string> }).groupLabels?.alertname === alertname,
    );
  const held = async (alertname: string) =>
    (await alertmanager.alerts()).filter((a) => a.labels.alertname === alertname);

  /** The collector sends first and is notified; then Prometheus sends the same rule. */
  async function sendBoth(
    alertname: string,
    relabel: boolean,
    series: Record<string, string> = {
      instance: 'collector:4000',
      job: 'pledgr-collector',
      period: 'current_month',
    },
  ) {
    const collectorAlert = toAlertmanagerAlert(statusOf(alertname), Date.now(), 60_000, null);
    await post([collectorAlert]);
    const deadline = Date.now() + 10_000;
    while (notificationsOf(alertname).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(notificationsOf(alertname)).toHaveLength(1);
    const labels = await prometheusLabels(alertname, series, relabel);
    await post([{ ...collectorAlert, labels, generatorURL: 'http://prometheus:9090/graph' }]);
    // Two group intervals: a new alert in the group would have been notified by then.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    return { collectorLabels: collectorAlert.labels, prometheusLabels: labels };
  }

  it('merges into one alert and one notification with the relabelling of prometheus.yml', async () => {
    const { collectorLabels, prometheusLabels: promLabels } = await sendBoth('UsersReached1K', true);
    expect(promLabels).toEqual(collectorLabels);
    expect(await held('UsersReached1K')).toHaveLength(1);
    expect(notificationsOf('UsersReached1K')).toHaveLength(1);
  }, 30_000);

  it('merges a burn-rate alert too: its recorded series carry `slo`, which the collector sends as well', async () => {
    const alertname = 'PledgeApiAvailabilityBudgetBurnFast';
    const { collectorLabels, prometheusLabels: promLabels } = await sendBoth(alertname, true, {
      slo: 'PledgeApiAvailability',
    });
    expect(collectorLabels).toMatchObject({ slo: 'PledgeApiAvailability' });
    expect(promLabels).toEqual(collectorLabels);
    expect(await held(alertname)).toHaveLength(1);
    expect(notificationsOf(alertname)).toHaveLength(1);
  }, 30_000);

  it('pages twice without it: the series labels make a second alert', async () => {
    await sendBoth('UsersReached10K', false);
    expect(await held('UsersReached10K')).toHaveLength(2);
    expect(notificationsOf('UsersReached10K')).toHaveLength(2);
  }, 30_000);
});
