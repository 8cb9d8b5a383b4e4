// The collector's alert service: evaluates every rule of the catalog against a snapshot of inputs on an
// interval, keeps each alert's state in memory, writes every transition to alert_history, tells
// subscribers (server-sent events) and sends notifications (webhook, Alertmanager) in the background.
// On start it restores each alert's state from its newest history row, so a restart does not notify an
// alert that was already firing again. Evaluations never overlap; a failed history write is logged and
// counted, and does not stop the evaluation or its notifications.
// With a lease (alert-lease.ts; two collectors on one database) only its holder evaluates, records and
// notifies; a follower re-reads every alert's state from alert_history at each interval (GET /api/alerts and
// the gauges show the state as of its last transition, with the value measured then) and tells its event
// subscribers about the changes it sees. A collector that takes the lease over re-reads the states first, so
// an alert already firing is not notified again. When the lease statement itself fails (database
// unreachable) a collector keeps the role it had: a lone collector keeps alerting through an outage.
import { alertLabels } from '../../core/alerts/labels.ts';
import { renderAction, renderSummary } from '../../core/alerts/render.ts';
import { type AlertAudience, type AlertRule, buildAlertRules } from '../../core/alerts/rules.ts';
import type { ChecklistStatuses } from '../../core/alerts/scaling-phases.ts';
import { type AlertThresholds, alertThresholds } from '../../core/alerts/thresholds.ts';
import type { Db } from '../../core/db/types.ts';
import type { AlertLease } from './alert-lease.ts';
import { type AlertHistoryRow, type AlertTransitionRecord, createAlertStore } from './alert-store.ts';
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
  /** Absent or null: this collector always evaluates (one collector, tests). */
  readonly lease?: AlertLease | null;
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
  /** Whether this collector holds the alert lease (evaluates and notifies); always true without a lease. */
  leader(): boolean;
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
  const lease = deps.lease ?? null;
  let leader = lease === null;
  /** The lease term held; a different term in the recording transaction means it changed hands meanwhile. */
  let term: number | null = null;
  let leaseErrorLogged = false;
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
      resolveThreshold: rule.resolveThreshold ?? null,
      keepFiringForSeconds: rule.keepFiringForSeconds ?? 0,
      keepFiringSince: iso(state.keepFiringSince),
      labels: alertLabels(rule),
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

  /**
   * Replaces every state with its newest history row (what the lease holder recorded); returns the changes
   * seen, as transitions for the event subscribers (never notified: the holder did that).
   */
  async function reload(): Promise<AlertTransition[]> {
    const rows = new Map((await store.latestPerAlert()).map((row) => [row.alertName, row]));
    loaded = Promise.resolve();
    const seen: AlertTransition[] = [];
    for (const rule of rules) {
      const row = rows.get(rule.name);
      const before = states.get(rule.name) ?? initialAlertState;
      const next = row ? restoredState(row) : initialAlertState;
      states.set(rule.name, next);
      if (row && (next.state !== before.state || next.changedAt !== before.changedAt)) {
        seen.push({ ...statusOf(rule), from: before.state, to: next.state, at: row.at.toISOString() });
      }
    }
    return seen;
  }

  /** Claims or renews the lease; false when another collector holds it. */
  async function holdLease(): Promise<boolean> {
    if (!lease) return true;
    let claimed: number | null;
    try {
      claimed = await lease.claim(deps.db);
      leaseErrorLogged = false;
    } catch (error) {
      if (!leaseErrorLogged) {
        deps.log(
          `alerts: the alert lease could not be read (${(error as Error).message}); this collector stays ${leader ? 'the evaluator' : 'a follower'}`,
        );
      }
      leaseErrorLogged = true;
      return leader;
    }
    const wasLeader = leader;
    leader = claimed !== null;
    if (leader && (!wasLeader || claimed !== term)) {
      deps.log(
        `alerts: this collector (${lease.holderId}) now evaluates and notifies alerts (lease term ${claimed})`,
      );
      await reload();
    } else if (!leader && wasLeader) {
      deps.log(`alerts: another collector holds the alert lease; ${lease.holderId} follows it`);
    }
    term = claimed;
    return leader;
  }

  /** A follower's turn: the holder's states from the database, the changes told to the subscribers. */
  async function follow(): Promise<readonly AlertTransition[]> {
    const seen = await reload();
    for (const transition of seen) for (const listener of listeners) callSafely(listener, transition);
    return [];
  }

  async function evaluate(): Promise<readonly AlertTransition[]> {
    await ensureLoaded();
    if (!(await holdLease())) return follow();
    const snapshot = await deps.inputs.gather();
    checklist = snapshot.checklist ?? checklist;
    const now = clock.now();
    const values = readAlertInputs(snapshot, now, thresholds);
    const transitions: AlertTransition[] = [];
    for (const rule of rules) {
      const before = states.get(rule.name) ?? initialAlertState;
      const { next, entered } = advance(
        before,
        evaluateRule(rule, values),
        rule.forSeconds,
        now,
        rule.keepFiringForSeconds,
      );
      states.set(rule.name, next);
      let from = before.state;
      for (const to of entered) {
        transitions.push({ ...statusOf(rule), from, to, at: new Date(now).toISOString() });
        from = to;
      }
    }
    if ((await recordAll(transitions)) === 'lost') {
      leader = false;
      deps.log(`alerts: the alert lease changed hands during an evaluation; ${lease?.holderId} follows`);
      return follow();
    }
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

  /**
   * With a lease: every transition in one transaction that renews the lease first, so a collector that lost
   * it records (and notifies) nothing — 'lost'. A failed write is counted and logged, and the notifications
   * still go out, as with one collector.
   */
  async function recordAll(transitions: readonly AlertTransition[]): Promise<'recorded' | 'lost'> {
    if (!lease || transitions.length === 0) {
      for (const transition of transitions) await record(transition);
      return 'recorded';
    }
    try {
      return await deps.db.transaction(async (tx) => {
        if ((await lease.claim(tx)) !== term) return 'lost';
        const txStore = createAlertStore(tx);
        for (const transition of transitions) await txStore.recordTransition(toRecord(transition));
        return 'recorded';
      });
    } catch (error) {
      writeFailures += transitions.length;
      deps.log(`alerts: writing ${transitions.length} transition(s) failed: ${(error as Error).message}`);
      return 'recorded';
    }
  }

  async function record(transition: AlertTransition): Promise<void> {
    try {
      await store.recordTransition(toRecord(transition));
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
      // Handing the lease over at once: the other collector evaluates at its next interval, not at expiry.
      if (lease && leader) {
        leader = false;
        await lease.release(deps.db).catch(() => undefined);
      }
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
    leader: () => leader,
    notificationsSettled: () => notifier.idle(),
  };
  return service;
}

function toRecord(transition: AlertTransition): AlertTransitionRecord {
  return {
    alertName: transition.alertname,
    state: transition.to,
    severity: transition.severity,
    audience: transition.audience,
    value: transition.value,
    threshold: transition.threshold,
    at: new Date(transition.at),
    activeSince: transition.activeSince ? new Date(transition.activeSince) : null,
    labels: transition.labels,
  };
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
