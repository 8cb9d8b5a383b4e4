// Validates environment variables with a zod schema and turns any failure into one ConfigError that names
// each bad variable, what it must be, and how to fix it. Secret values are never echoed back.
import type { z } from 'zod';
import { ConfigError } from '../errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** Variables whose values must never appear in an error message (they may carry passwords or tokens). */
const secretVariables = /URL|TOKEN|PASSWORD|SECRET/;

export function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  // Empty strings mean "unset", as a shell `VAR=` line intends.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const variable = String(issue.path[0] ?? 'configuration');
    const given = present[variable];
    const shown = given === undefined ? 'unset' : secretVariables.test(variable) ? 'given' : `"${given}"`;
    return `  ${variable} (${shown}): ${issue.message}`;
  });
  return failConfig(lines);
}

function failConfig(lines: string[]): never {
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
