// Synthetic traffic for `pulse start --demo`: the `pulse load` mix at a gentle, steady rate, in rounds of a
// minute until stopped, so the live health panels and alerts have something to show. A round that fails
// (the API restarting, say) is logged and retried after a pause; it never stops the system.
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad } from '../load/load-generator.ts';

export interface SyntheticTrafficOptions {
  readonly url: string;
  readonly ratePerSecond: number;
  readonly roundSeconds: number;
  readonly invalidShare: number;
}

export interface SyntheticTraffic {
  /** Completed rounds and requests sent so far. */
  readonly progress: () => { rounds: number; sent: number; serverErrors: number };
  stop(): Promise<void>;
}

export const demoTraffic = { ratePerSecond: 20, roundSeconds: 60, invalidShare: 0.05 } as const;

export function startSyntheticTraffic(
  options: SyntheticTrafficOptions,
  log: (message: string) => void,
): SyntheticTraffic {
  const abort = new AbortController();
  const totals = { rounds: 0, sent: 0, serverErrors: 0 };
  // Resolves early when stopped; timers/promises drops its abort listener either way (no leak per pause).
  const pause = (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined);

  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const summary = await runLoad({
          url: options.url,
          connections: 2,
          durationSeconds: options.roundSeconds,
          ratePerSecond: options.ratePerSecond,
          invalidShare: options.invalidShare,
          signal: abort.signal,
        });
        totals.rounds += 1;
        totals.sent += summary.sent;
        totals.serverErrors += summary.statusClasses['5xx'];
      } catch (error) {
        if (abort.signal.aborted) break;
        log(`synthetic traffic: ${(error as Error).message}; retrying in 5 s`);
        await pause(5_000);
      }
    }
  })();

  return {
    progress: () => ({ ...totals }),
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
