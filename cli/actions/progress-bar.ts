// A progress bar on stderr for long runs (stdout stays clean for the command's result). Short runs show none;
// without a terminal it prints a plain line every few seconds instead of redrawing.
import { SingleBar } from 'cli-progress';

/** Below this many rows a run is quick enough that a bar is noise. */
const minRowsForBar = 20_000;

export function progressBar(label: string): {
  update: (done: number, total: number) => void;
  stop: () => void;
} {
  let bar: SingleBar | undefined;
  return {
    update(done, total) {
      if (total < minRowsForBar) return;
      if (!bar) {
        bar = new SingleBar({
          format: `${label} [{bar}] {percentage}% | {value}/{total} rows | {duration_formatted}`,
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 3000,
          hideCursor: true,
        });
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
