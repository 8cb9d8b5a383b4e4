// The CLI's configuration: the environment read once and validated, with flags taking precedence over it.
// Precedence for every setting: command-line flag, then environment variable, then default.

import { currencyEnvSchema } from '../core/config/currency-config.ts';
import {
  type DatabaseConfig,
  databaseEnvSchema,
  requirePostgresUrl,
  toDatabaseConfig,
} from '../core/config/database-config.ts';
import { type Env, parseEnv } from '../core/config/parse-env.ts';

export interface CliConfig {
  readonly database: DatabaseConfig;
  readonly currency: string;
}

/** Flags that override an environment variable of the same meaning. */
export interface CliFlags {
  readonly dataDir?: string | undefined;
}

const cliEnvSchema = databaseEnvSchema.extend(currencyEnvSchema.shape).superRefine(requirePostgresUrl);

export function loadCliConfig(env: Env = process.env, flags: CliFlags = {}): CliConfig {
  const merged = { ...env, ...(flags.dataDir ? { PULSE_DATA_DIR: flags.dataDir } : {}) };
  const parsed = parseEnv(cliEnvSchema, merged);
  return { database: toDatabaseConfig(parsed), currency: parsed.PULSE_CURRENCY };
}
