// Database settings shared by every service's config module: which database, where, and the pool size.
// Precedence: a value a service passes in (from a flag) wins over the environment, which wins over the default.
import { z } from 'zod';
import type { PoolSettings } from '../db/postgres-db.ts';
import { oneOf, wholeNumber } from './env-types.ts';

/** The scaling guide's pool defaults. */
export const poolDefaults: PoolSettings = {
  max: 20,
  idleTimeoutMillis: 30_000,
  connectionTimeoutMillis: 2_000,
};
export const defaultDataDir = './data';

export type DatabaseConfig =
  | { readonly kind: 'embedded'; readonly dataDir: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly dataDir: string;
      readonly pool: PoolSettings;
    };

export const databaseEnvSchema = z.object({
  DATABASE_TYPE: oneOf(['embedded', 'postgres']).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection URL')
    .optional(),
  PULSE_DATA_DIR: z.string().default(defaultDataDir),
  DB_POOL_MAX: wholeNumber(1, 1000, poolDefaults.max).default(poolDefaults.max),
  DB_POOL_IDLE_TIMEOUT_MS: wholeNumber(0, 3_600_000, poolDefaults.idleTimeoutMillis).default(
    poolDefaults.idleTimeoutMillis,
  ),
  DB_POOL_CONNECTION_TIMEOUT_MS: wholeNumber(0, 600_000, poolDefaults.connectionTimeoutMillis).default(
    poolDefaults.connectionTimeoutMillis,
  ),
});

export type DatabaseEnv = z.output<typeof databaseEnvSchema>;

/** Adds the cross-field rule (postgres needs a URL) to a service schema that includes the database fields. */
export function requirePostgresUrl(
  env: Pick<DatabaseEnv, 'DATABASE_TYPE' | 'DATABASE_URL'>,
  ctx: z.RefinementCtx,
) {
  if (env.DATABASE_TYPE === 'postgres' && env.DATABASE_URL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_URL'],
      message:
        'is required when DATABASE_TYPE=postgres: set it to postgres://user:password@host:5432/database',
    });
  }
}

/** DATABASE_TYPE is inferred from DATABASE_URL when unset. */
export function toDatabaseConfig(env: DatabaseEnv): DatabaseConfig {
  const kind = env.DATABASE_TYPE ?? (env.DATABASE_URL ? 'postgres' : 'embedded');
  if (kind === 'embedded') return { kind, dataDir: env.PULSE_DATA_DIR };
  return {
    kind,
    url: env.DATABASE_URL as string,
    dataDir: env.PULSE_DATA_DIR,
    pool: {
      max: env.DB_POOL_MAX,
      idleTimeoutMillis: env.DB_POOL_IDLE_TIMEOUT_MS,
      connectionTimeoutMillis: env.DB_POOL_CONNECTION_TIMEOUT_MS,
    },
  };
}
