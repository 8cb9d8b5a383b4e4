// The timer both health sources run on: one round of work, then the next after `intervalMs`, never two at
// once; stopping waits for a round in progress. Starting twice is a no-op.
export interface PollLoop {
  start(): void;
  stop(): Promise<void>;
}

export function pollLoop(intervalMs: number, round: () => Promise<void>): PollLoop {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;
  return {
    start() {
      if (!stopped) return;
      stopped = false;
      const tick = () => {
        running = round().finally(() => {
          running = null;
          if (!stopped) timer = setTimeout(tick, intervalMs);
        });
      };
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
