// Keeps the alert history from growing forever: deletes transitions older than ALERT_HISTORY_RETENTION at
// start and then every hour, in one statement (alert-store.ts pruneHistory), never an alert's newest row —
// it is the state a restart or a following collector restores. A failed prune is logged and tried again at
// the next round; two collectors pruning the same database only find fewer rows.
import type { Queryable } from '../../core/db/types.ts';
import { createAlertStore } from './alert-store.ts';
import { type Clock, systemClock } from './types.ts';

export const defaultPruneIntervalMs = 3_600_000;

export interface HistoryPrunerOptions {
  readonly db: Queryable;
  readonly retentionMs: number;
  readonly intervalMs?: number;
  readonly clock?: Clock;
  readonly log: (message: string) => void;
}

export interface HistoryPruner {
  /** One prune now; resolves with the rows deleted (0 when it failed: the failure is logged). */
  pruneNow(): Promise<number>;
  /** Ends the rounds and waits for a running prune. */
  stop(): Promise<void>;
}

/** Starts pruning at once (in the background) and then every interval. */
export function startHistoryPruner(options: HistoryPrunerOptions): HistoryPruner {
  const store = createAlertStore(options.db);
  const clock = options.clock ?? systemClock;
  let running: Promise<number> = Promise.resolve(0);
  let timer: NodeJS.Timeout | null = null;

  const prune = async (): Promise<number> => {
    try {
      const deleted = await store.pruneHistory(new Date(clock.now() - options.retentionMs));
      if (deleted > 0) options.log(`alerts: pruned ${deleted} alert history row(s) past the retention`);
      return deleted;
    } catch (error) {
      options.log(`alerts: pruning the alert history failed: ${(error as Error).message}`);
      return 0;
    }
  };
  const pruneNow = () => {
    running = running.then(prune);
    return running;
  };

  void pruneNow();
  timer = setInterval(() => void pruneNow(), options.intervalMs ?? defaultPruneIntervalMs).unref();
  return {
    pruneNow,
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
