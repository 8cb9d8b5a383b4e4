// The collector's alert service: evaluates every rule of the catalog against a snapshot of inputs on an
// interval, keeps each alert's state in memory, writes every transition to alert_history, tells
// subscribers (server-sent events) and sends notifications (webhook, Alertmanager) in the background.
// On start it restores each alert's state from its newest history row, so a restart does not notify an
// alert that was already firing again. Evaluations never overlap; a failed history write is logged and
// counted, and does not stop the evaluation or its notifications.
import { renderAction, renderSummary } from '../../core/alerts/render.ts';
import { type AlertAudience, type AlertRule, buildAlertRules } from '../../core/alerts/rules.ts';
import type { ChecklistStatuses } from '../../core/alerts/scaling-phases.ts';
import { type AlertThresholds, alertThresholds } from '../../core/alerts/thresholds.ts';
import type { Db } from '../../core/db/types.ts';
import { type AlertHistoryRow, createAlertStore } from './alert-store.ts';
import { evaluateRule } from './evaluate-rule.ts';
import type { AlertInputGatherer } from './gather-inputs.ts';
import { readAlertInputs } from './inputs.ts';
import {
  createNotifier,
  type DeliveryCounts,
  defaultNotifierSettings,
  type NotifierSettings,
} from './notifier.ts';
import { type AlertState, advance, initialAlertState } from './state-machine.ts';
import {
  type AlertStatus,
  type AlertTransition,
  type AlertTransitionListener,
  type Clock,
  systemClock,
} from './types.ts';

export interface AlertServiceDeps {
  readonly db: Db;
  readonly inputs: AlertInputGatherer;
  readonly clock?: Clock;
  /** The numbers the rules use; the rules are built from them unless `rules` is given. */
  readonly thresholds?: AlertThresholds;
  readonly rules?: readonly AlertRule[];
  readonly evaluationIntervalMs?: number;
  readonly notifications?: Partial<NotifierSettings>;
  readonly log: (message: string) => void;
}

export interface AlertHistoryEntry {
  readonly id: number;
  readonly alertname: string;
  readonly state: AlertHistoryRow['state'];
  readonly severity: AlertHistoryRow['severity'];
  readonly audience: AlertHistoryRow['audience'];
  readonly value: number | null;
  readonly threshold: number;
  readonly at: string;
  readonly activeSince: string | null;
  readonly labels: Readonly<Record<string, string>>;
}

export interface AlertService {
  /** Restores states from the history, evaluates at once and then every evaluation interval. */
  start(): Promise<void>;
  /** Ends the loop, waits for a running evaluation, aborts retrying deliveries. Not restartable: make a new one. */
  stop(): Promise<void>;
  /** One evaluation of every rule (restoring states first if needed); returns the transitions it made. */
  evaluateOnce(): Promise<readonly AlertTransition[]>;
  /** Every rule's current state, catalog order (for pledgr_alert_state gauges). */
  states(): readonly AlertStatus[];
  /** Pending and firing alerts (of the given audiences; default all). */
  active(audiences?: readonly AlertAudience[]): readonly AlertStatus[];
  /** Transitions from the database, newest first (of the given audiences; default all). */
  history(limit: number, audiences?: readonly AlertAudience[]): Promise<readonly AlertHistoryEntry[]>;
  /** Subscribes to every transition; returns the unsubscribe function. */
  onTransition(listener: AlertTransitionListener): () => void;
  deliveries(): DeliveryCounts;
  historyWriteFailures(): number;
  /** Resolves when the notifications started so far have finished (tests). */
  notificationsSettled(): Promise<void>;
}

export const defaultEvaluationIntervalMs = 15_000;
const allAudiences: readonly AlertAudience[] = ['operator', 'founder', 'both'];

const iso = (instant: number | null) => (instant === null ? null : new Date(instant).toISOString());

export function createAlertService(deps: AlertServiceDeps): AlertService {
  const clock = deps.clock ?? systemClock;
  const thresholds = deps.thresholds ?? alertThresholds;
  const rules = deps.rules ?? buildAlertRules(thresholds);
  const store = createAlertStore(deps.db);
  const notifier = createNotifier({ ...defaultNotifierSettings, ...deps.notifications }, deps.log);
  const states = new Map<string, AlertState>(rules.map((rule) => [rule.name, initialAlertState]));
  const listeners = new Set<AlertTransitionListener>();
  let loaded: Promise<void> | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let writeFailures = 0;
  /** The scaling checklist's statuses at the last evaluation: the milestone alerts list them. */
  let checklist: ChecklistStatuses | null = null;

  const statusOf = (rule: AlertRule): AlertStatus => {
    const state = states.get(rule.name) ?? initialAlertState;
    return {
      alertname: rule.name,
      state: state.state,
      severity: rule.severity,
      audience: rule.audience,
      value: state.value,
      threshold: rule.threshold,
      summary: renderSummary(rule, state.value),
      action: renderAction(rule, checklist),
      activeSince: iso(state.activeSince),
      firingSince: iso(state.firingSince),
      resolvedAt: iso(state.resolvedAt),
      changedAt: iso(state.changedAt),
      labels: { alertname: rule.name, severity: rule.severity, audience: rule.audience },
    };
  };

  function ensureLoaded(): Promise<void> {
    loaded ??= store.latestPerAlert().then(
      (rows) => {
        for (const row of rows) if (states.has(row.alertName)) states.set(row.alertName, restoredState(row));
      },
      (error: unknown) => {
        loaded = null; // try again at the next evaluation rather than never
        throw error;
      },
    );
    return loaded;
  }

  async function evaluate(): Promise<readonly AlertTransition[]> {
    await ensureLoaded();
    const snapshot = await deps.inputs.gather();
    checklist = snapshot.checklist ?? checklist;
    const now = clock.now();
    const values = readAlertInputs(snapshot, now, thresholds);
    const transitions: AlertTransition[] = [];
    for (const rule of rules) {
      const before = states.get(rule.name) ?? initialAlertState;
      const { next, entered } = advance(before, evaluateRule(rule, values), rule.forSeconds, now);
      states.set(rule.name, next);
      let from = before.state;
      for (const to of entered) {
        transitions.push({ ...statusOf(rule), from, to, at: new Date(now).toISOString() });
        from = to;
      }
    }
    for (const transition of transitions) await record(transition);
    for (const transition of transitions) {
      for (const listener of listeners) callSafely(listener, transition);
      notifier.notifyTransition(transition, now);
    }
    const changed = new Set(transitions.map((transition) => transition.alertname));
    const stillFiring = rules
      .map(statusOf)
      .filter((status) => status.state === 'firing' && !changed.has(status.alertname));
    notifier.resendFiring(stillFiring, now);
    return transitions;
  }

  async function record(transition: AlertTransition): Promise<void> {
    try {
      await store.recordTransition({
        alertName: transition.alertname,
        state: transition.to,
        severity: transition.severity,
        audience: transition.audience,
        value: transition.value,
        threshold: transition.threshold,
        at: new Date(transition.at),
        activeSince: transition.activeSince ? new Date(transition.activeSince) : null,
        labels: transition.labels,
      });
    } catch (error) {
      writeFailures += 1;
      deps.log(
        `alerts: writing the ${transition.to} transition of ${transition.alertname} failed: ${(error as Error).message}`,
      );
    }
  }

  function callSafely(listener: AlertTransitionListener, transition: AlertTransition): void {
    try {
      listener(transition);
    } catch (error) {
      deps.log(`alerts: a transition listener failed: ${(error as Error).message}`);
    }
  }

  const service: AlertService = {
    evaluateOnce() {
      const run = queue.then(evaluate, evaluate);
      queue = run.catch(() => undefined);
      return run;
    },
    async start() {
      stopped = false;
      await ensureLoaded();
      const interval = deps.evaluationIntervalMs ?? defaultEvaluationIntervalMs;
      const tick = async () => {
        await service
          .evaluateOnce()
          .catch((error: Error) => deps.log(`alerts: evaluation failed: ${error.message}`));
        if (!stopped) timer = setTimeout(tick, interval).unref();
      };
      timer = setTimeout(tick, 0).unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await queue;
      await notifier.stop();
    },
    states: () => rules.map(statusOf),
    active: (audiences = allAudiences) =>
      rules
        .map(statusOf)
        .filter((s) => (s.state === 'pending' || s.state === 'firing') && audiences.includes(s.audience)),
    async history(limit, audiences = allAudiences) {
      return (await store.history(limit, audiences)).map(toHistoryEntry);
    },
    onTransition(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deliveries: () => notifier.counts(),
    historyWriteFailures: () => writeFailures,
    notificationsSettled: () => notifier.idle(),
  };
  return service;
}

function restoredState(row: AlertHistoryRow): AlertState {
  const at = row.at.getTime();
  const activeSince = row.activeSince?.getTime() ?? null;
  const base = { ...initialAlertState, value: row.value, changedAt: at };
  switch (row.state) {
    case 'pending':
      return { ...base, state: 'pending', activeSince: activeSince ?? at };
    case 'firing':
      return { ...base, state: 'firing', activeSince: activeSince ?? at, firingSince: at };
    case 'resolved':
      return { ...base, state: 'resolved', activeSince, resolvedAt: at };
    case 'inactive':
      return base;
  }
}

function toHistoryEntry(row: AlertHistoryRow): AlertHistoryEntry {
  return {
    id: row.id,
    alertname: row.alertName,
    state: row.state,
    severity: row.severity,
    audience: row.audience,
    value: row.value,
    threshold: row.threshold,
    at: row.at.toISOString(),
    activeSince: row.activeSince?.toISOString() ?? null,
    labels: row.labels,
  };
}
