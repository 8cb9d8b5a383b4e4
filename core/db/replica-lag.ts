// How far a streaming replica is behind its primary, in time, from WAL positions alone. The primary's
// position (pg_current_wal_lsn) is sampled with a timestamp at every check; the replica has everything the
// primary had written at the newest sample whose position its replay (pg_last_wal_replay_lsn) has reached, so
// its lag is at most the time since that sample. Clock-free on the database side (no commit timestamps,
// which stand still on an idle primary and would make an idle, caught-up replica look hours behind), and
// never an underestimate: between samples the primary may have stayed put for longer than assumed.

/** A pg_lsn as text (`16/B374D848`) turned into one comparable number. */
export function parseLsn(text: string): bigint {
  const match = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(text);
  if (!match) throw new Error(`not a WAL position: ${JSON.stringify(text)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export interface LagEstimate {
  /** Milliseconds behind the primary: exact up to the sampling step when `known`, else a lower bound. */
  readonly lagMs: number;
  /**
   * false when the replay position is older than every sample kept (the replica is further behind than
   * the history reaches, or the history has only just begun): such a replica is never fresh.
   */
  readonly known: boolean;
}

interface Sample {
  atMs: number;
  readonly lsn: bigint;
}

/** The primary's recent WAL positions, oldest first; positions never go backwards on one primary. */
export class PrimaryLsnHistory {
  readonly #samples: Sample[] = [];

  /** @param keepMs how far back samples are kept: longer than the largest lag that matters. */
  constructor(private readonly keepMs: number) {}

  get size(): number {
    return this.#samples.length;
  }

  /** Records the primary at `lsn` at `atMs`; a repeat of the newest position only moves its time on. */
  record(atMs: number, lsn: bigint): void {
    const newest = this.#samples.at(-1);
    if (newest && lsn < newest.lsn) {
      // Another primary (a failover behind the same address): positions before it mean nothing now.
      this.#samples.length = 0;
    } else if (newest && lsn === newest.lsn) {
      newest.atMs = atMs;
      return;
    }
    this.#samples.push({ atMs, lsn });
    // Keep one sample older than the window, so a replica behind the whole window still reads as behind it.
    let drop = 0;
    while (drop + 1 < this.#samples.length && (this.#samples[drop + 1] as Sample).atMs < atMs - this.keepMs) {
      drop++;
    }
    if (drop > 0) this.#samples.splice(0, drop);
  }

  /** The lag at `nowMs` of a replica that has replayed up to `replayLsn`. */
  lagAt(replayLsn: bigint, nowMs: number): LagEstimate {
    const samples = this.#samples;
    const newest = samples.at(-1);
    if (!newest) return { lagMs: 0, known: false };
    if (replayLsn >= newest.lsn) return { lagMs: 0, known: true };
    // Binary search for the newest sample at or below the replay position (positions are ascending).
    let low = 0;
    let high = samples.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((samples[middle] as Sample).lsn <= replayLsn) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found === -1) {
      return { lagMs: Math.max(0, nowMs - (samples[0] as Sample).atMs), known: false };
    }
    return { lagMs: Math.max(0, nowMs - (samples[found] as Sample).atMs), known: true };
  }
}
