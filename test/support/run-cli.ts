// Runs the real `pulse` executable (cli/bin.js) in a child process and captures what a person would see.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cliBin = fileURLToPath(new URL('../../cli/bin.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Another copy of the executable (test/cli/compiled-cli.test.ts runs a copy of the package). */
  readonly bin?: string;
  /** Node flags before the script, e.g. `--import` of a preload. */
  readonly nodeArgs?: readonly string[];
}

/** `env` replaces the database variables of the test process so a run cannot touch a real ./data. */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  options: CliOptions = {},
): Promise<CliResult> {
  const base = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATABASE_TYPE', 'PULSE_DATA_DIR']) delete base[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), options.bin ?? cliBin, ...args],
      { env: { ...base, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
