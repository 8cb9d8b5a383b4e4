// The collector's configuration: the environment read once, validated at start. Precedence: flag, then
// environment variable, then default. Tokens are secrets: never echoed in errors.
import { z } from 'zod';
import { currencyEnvSchema } from '../core/config/currency-config.ts';
import {
  type DatabaseConfig,
  databaseEnvSchema,
  requirePostgresUrl,
  toDatabaseConfig,
} from '../core/config/database-config.ts';
import { wholeNumber } from '../core/config/env-types.ts';
import { type Env, parseEnv } from '../core/config/parse-env.ts';

export interface CollectorConfig {
  readonly database: DatabaseConfig;
  readonly currency: string;
  readonly host: string;
  readonly port: number;
  /** Set tokens; where unset, they are generated on first start and stored under the data directory. */
  readonly founderToken?: string;
  readonly operatorToken?: string;
}

export interface CollectorFlags {
  readonly dataDir?: string | undefined;
  readonly port?: number | undefined;
}

const token = z.string().min(16, 'must be at least 16 characters; unset it to have one generated');

const collectorEnvSchema = databaseEnvSchema
  .extend(currencyEnvSchema.shape)
  .extend({
    HOST: z.string().default('127.0.0.1'),
    COLLECTOR_PORT: wholeNumber(0, 65_535, 4000).default(4000),
    PULSE_FOUNDER_TOKEN: token.optional(),
    PULSE_OPERATOR_TOKEN: token.optional(),
  })
  .superRefine(requirePostgresUrl)
  .superRefine((env, ctx) => {
    if (env.PULSE_FOUNDER_TOKEN && env.PULSE_FOUNDER_TOKEN === env.PULSE_OPERATOR_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['PULSE_OPERATOR_TOKEN'],
        message: 'must differ from PULSE_FOUNDER_TOKEN',
      });
    }
  });

export function loadCollectorConfig(env: Env = process.env, flags: CollectorFlags = {}): CollectorConfig {
  const merged = { ...env, ...(flags.dataDir ? { PULSE_DATA_DIR: flags.dataDir } : {}) };
  const parsed = parseEnv(collectorEnvSchema, merged);
  return {
    database: toDatabaseConfig(parsed),
    currency: parsed.PULSE_CURRENCY,
    host: parsed.HOST,
    port: flags.port ?? parsed.COLLECTOR_PORT,
    ...(parsed.PULSE_FOUNDER_TOKEN ? { founderToken: parsed.PULSE_FOUNDER_TOKEN } : {}),
    ...(parsed.PULSE_OPERATOR_TOKEN ? { operatorToken: parsed.PULSE_OPERATOR_TOKEN } : {}),
  };
}
