// The life of one alert: inactive → pending (condition true) → firing (true for the rule's `for`) →
// resolved (false again); pending that turns false before `for` goes back to inactive; a resolved alert
// whose condition holds again starts over at pending. With `for` = 0 pending and firing happen in the same
// evaluation (two transitions). A missing input changes nothing — not the state, not the pending clock —
// so a scrape gap neither resolves a firing alert nor restarts a pending one.
// No flapping: a firing alert whose figure is still past the rule's resolve threshold stays firing
// (evaluate-rule.ts: pastResolve), and with a keep-firing time it stays firing that long after the first
// evaluation that found its condition gone — as Prometheus's keep_firing_for counts; the condition holding
// again restarts that clock. The clock is not stored: after a restart it starts over (later, never twice).
import type { RuleOutcome } from './evaluate-rule.ts';

export type AlertStateName = 'inactive' | 'pending' | 'firing' | 'resolved';

export interface AlertState {
  readonly state: AlertStateName;
  /** The last value evaluated (null before any, or when the rule's figure could not be computed). */
  readonly value: number | null;
  /** When the condition became true (start of pending); kept through firing and resolved. */
  readonly activeSince: number | null;
  readonly firingSince: number | null;
  readonly resolvedAt: number | null;
  /** When the state last changed; null for an alert that has never left inactive. */
  readonly changedAt: number | null;
  /** Firing only by its keep-firing time: the first evaluation that found the condition gone. */
  readonly keepFiringSince: number | null;
}

export const initialAlertState: AlertState = {
  state: 'inactive',
  value: null,
  activeSince: null,
  firingSince: null,
  resolvedAt: null,
  changedAt: null,
  keepFiringSince: null,
};

export interface Advanced {
  readonly next: AlertState;
  /** The states entered, in order (empty when nothing changed). */
  readonly entered: readonly AlertStateName[];
}

export function advance(
  current: AlertState,
  outcome: RuleOutcome,
  forSeconds: number,
  now: number,
  keepFiringForSeconds = 0,
): Advanced {
  if (outcome.kind === 'missing') return { next: current, entered: [] };
  const value = outcome.value;
  if (outcome.kind === 'false') {
    if (current.state === 'pending') {
      return enter({ ...current, value, activeSince: null }, 'inactive', now);
    }
    if (current.state === 'firing') {
      if (outcome.pastResolve) return { next: { ...current, value, keepFiringSince: null }, entered: [] };
      const since = current.keepFiringSince ?? now;
      if (now - since < keepFiringForSeconds * 1000) {
        return { next: { ...current, value, keepFiringSince: since }, entered: [] };
      }
      return enter({ ...current, value, resolvedAt: now, keepFiringSince: null }, 'resolved', now);
    }
    return { next: { ...current, value }, entered: [] };
  }
  let next: AlertState = { ...current, keepFiringSince: null };
  const entered: AlertStateName[] = [];
  if (current.state === 'inactive' || current.state === 'resolved') {
    next = {
      ...current,
      state: 'pending',
      activeSince: now,
      firingSince: null,
      resolvedAt: null,
      changedAt: now,
    };
    entered.push('pending');
  }
  if (next.state === 'pending' && now - (next.activeSince ?? now) >= forSeconds * 1000) {
    next = { ...next, state: 'firing', firingSince: now, changedAt: now };
    entered.push('firing');
  }
  return { next: { ...next, value }, entered };
}

function enter(state: AlertState, to: AlertStateName, now: number): Advanced {
  return { next: { ...state, state: to, changedAt: now }, entered: [to] };
}
