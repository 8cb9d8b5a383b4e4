// The SLO ledger: per-minute sums of the counts the SLIs read — requests, 5xx, the cumulative latency bucket
// at each SLO latency threshold, pledge writes and those that succeeded — all agents together, for the
// longest burn window (3 days). The scraper's fine steps answer windows up to HEALTH_RETENTION (6 h by
// default); the ledger answers the longer ones (the 1-day and 3-day windows of the ticket alerts) without
// keeping 3 days of 5-second steps.
// Memory is fixed when it is made: 4,320 minutes × (4 counts + 1 per latency threshold + 1 minute stamp) ×
// 8 bytes — with the one default latency threshold 4,320 × 6 × 8 = 207,360 bytes (about 200 KiB), whatever
// the traffic or the run length.
// In memory only: after a restart it holds what was scraped since, and a window longer than that counts
// what there is — as Prometheus' `increase` does over a young series (the traffic source says how much of
// the window it covers).
import { burnWindows } from '../../core/slo/slo-windows.ts';
import type { WindowTraffic } from './window-traffic.ts';

export const ledgerMinuteMs = 60_000;
/** The longest burn window: what the ledger keeps. */
export const ledgerSeconds = Math.max(...Object.values(burnWindows));

export interface SloLedger {
  /** Minutes it can hold (ledgerSeconds / 60). */
  readonly capacity: number;
  /** Adds one scrape round's counts (all agents) to the minute of its instant `t` (epoch ms). */
  record(t: number, counts: WindowTraffic): void;
  /**
   * Sums over the whole minutes of the window ending at `now`: the current minute and the ones before it, as
   * many as the window has minutes (so it spans between window − 60 s and the window). Latency buckets: one
   * per SLO latency threshold.
   */
  traffic(windowSeconds: number, now: number): WindowTraffic;
  /** Minutes holding counts now (never more than `capacity`). */
  size(): number;
}

/** Where each count sits in a minute's row; the latency thresholds' buckets follow, one each. */
const column = { requests: 0, serverErrors: 1, pledgeWrites: 2, pledgeWritesSucceeded: 3 } as const;
const firstThreshold = 4;

const sameBound = (a: number, b: number) => Math.abs(a - b) < 1e-9;

export function createSloLedger(
  latencyThresholds: readonly number[],
  capacity: number = ledgerSeconds / 60,
): SloLedger {
  const width = firstThreshold + latencyThresholds.length;
  const counts = new Float64Array(capacity * width);
  /** The minute (epoch ms / 60 000) each row holds; NaN: none yet. */
  const minutes = new Float64Array(capacity).fill(Number.NaN);
  const rowOf = (minute: number) => ((minute % capacity) + capacity) % capacity;

  return {
    capacity,
    record(t, step) {
      const minute = Math.floor(t / ledgerMinuteMs);
      const row = rowOf(minute);
      const held = minutes[row] as number;
      if (held > minute) return; // a row already reused by a later minute: this one left the ledger
      if (held !== minute) {
        counts.fill(0, row * width, (row + 1) * width);
        minutes[row] = minute;
      }
      // In column order.
      const added = [
        step.requests,
        step.serverErrors,
        step.pledgeWrites,
        step.pledgeWritesSucceeded,
        ...latencyThresholds.map((le) => step.latency.find((b) => sameBound(b.le, le))?.count ?? 0),
      ];
      added.forEach((value, i) => {
        counts[row * width + i] = (counts[row * width + i] as number) + value;
      });
    },
    traffic(windowSeconds, now) {
      const newest = Math.floor(now / ledgerMinuteMs);
      const span = Math.min(capacity, Math.ceil(windowSeconds / 60));
      const sums = new Float64Array(width);
      for (let minute = newest - span + 1; minute <= newest; minute++) {
        const row = rowOf(minute);
        if (minutes[row] !== minute) continue;
        for (let i = 0; i < width; i++) sums[i] = (sums[i] as number) + (counts[row * width + i] as number);
      }
      return {
        requests: sums[column.requests] as number,
        serverErrors: sums[column.serverErrors] as number,
        pledgeWrites: sums[column.pledgeWrites] as number,
        pledgeWritesSucceeded: sums[column.pledgeWritesSucceeded] as number,
        latency: latencyThresholds.map((le, i) => ({ le, count: sums[firstThreshold + i] as number })),
      };
    },
    size: () => minutes.reduce((held, minute) => (Number.isNaN(minute) ? held : held + 1), 0),
  };
}
