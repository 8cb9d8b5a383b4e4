// The drop-in must never break the application it instruments. Every piece of recording code runs through a
// guard named after its signal (http, express, pg, sqlite3, …): the first fault is logged once, without any
// request data, and that one signal is switched off; the application's own call always goes on unchanged.
const switchedOff = new Set<string>();

export function isOff(signal: string): boolean {
  return switchedOff.has(signal);
}

export function switchOff(signal: string, error: unknown): void {
  if (switchedOff.has(signal)) return;
  switchedOff.add(signal);
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  process.stderr.write(`pulse agent: ${signal} metrics switched off after an internal fault (${reason})\n`);
}

/** Runs `record` unless its signal is off; a throw switches the signal off instead of reaching the app. */
export function guarded(signal: string, record: () => void): void {
  if (switchedOff.has(signal)) return;
  try {
    record();
  } catch (error) {
    switchOff(signal, error);
  }
}
