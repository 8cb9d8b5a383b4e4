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
import { redisEnvSchema } from '../core/config/redis-config.ts';

export interface CliConfig {
  readonly database: DatabaseConfig;
  readonly currency: string;
  /** Where the pledge API caches profiles: `import-sqlite --follow` invalidates those it changes. */
  readonly redisUrl?: string;
}

/** Flags that override an environment variable of the same meaning. */
export interface CliFlags {
  readonly dataDir?: string | undefined;
}

export const cliEnvSchema = databaseEnvSchema
  .extend(currencyEnvSchema.shape)
  .extend(redisEnvSchema.shape)
  .superRefine(requirePostgresUrl);

export function loadCliConfig(env: Env = process.env, flags: CliFlags = {}): CliConfig {
  const merged = { ...env, ...(flags.dataDir ? { PULSE_DATA_DIR: flags.dataDir } : {}) };
  const parsed = parseEnv(cliEnvSchema, merged);
  return {
    database: toDatabaseConfig(parsed),
    currency: parsed.PULSE_CURRENCY,
    ...(parsed.REDIS_URL ? { redisUrl: parsed.REDIS_URL } : {}),
  };
}
