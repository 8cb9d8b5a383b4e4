// Database settings shared by every service's config module: which database, where, and the pool size; and,
// for a service that reads on a replica (the collector), where the replica is and how far behind it may be.
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

/** How long a replica may lag behind the primary before its reads go to the primary instead. */
export const defaultReadMaxLagMs = 5_000;

/** A hot-standby streaming replica of the primary that reads may use (core/db/read-replica.ts). */
export interface ReadReplicaConfig {
  /** postgres:// URL of the standby; may hold a password, so it is never printed (describeServer). */
  readonly url: string;
  /** A replica further behind than this is not read from; the primary answers instead. */
  readonly maxLagMs: number;
}

export type DatabaseConfig =
  | { readonly kind: 'embedded'; readonly dataDir: string }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly dataDir: string;
      readonly pool: PoolSettings;
      /** Set by DATABASE_READ_URL (services that read on a replica only); absent: every read on `url`. */
      readonly read?: ReadReplicaConfig;
    };

/** A connection URL that names a host (the replica is always a server of its own). */
const postgresServerUrl = z
  .string()
  .refine((url) => /^postgres(ql)?:\/\/\S+$/.test(url) && URL.canParse(url) && new URL(url).hostname !== '', {
    message:
      'must be a postgres:// or postgresql:// connection URL with a host, e.g. postgres://user:password@replica:5432/db',
  });

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

/** The replica settings, for the services that read on one (extend their schema with these fields). */
export const databaseReadEnvSchema = z.object({
  DATABASE_READ_URL: postgresServerUrl.optional(),
  DATABASE_READ_MAX_LAG_MS: wholeNumber(100, 600_000, defaultReadMaxLagMs).default(defaultReadMaxLagMs),
});

export type DatabaseReadEnv = z.output<typeof databaseReadEnvSchema>;

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

/** A replica serves a PostgreSQL primary only: with the embedded database, DATABASE_READ_URL is an error. */
export function requireReadUrlWithPostgres(
  env: Pick<DatabaseEnv, 'DATABASE_TYPE' | 'DATABASE_URL'> & Pick<DatabaseReadEnv, 'DATABASE_READ_URL'>,
  ctx: z.RefinementCtx,
) {
  if (env.DATABASE_READ_URL !== undefined && databaseKindOf(env) === 'embedded') {
    ctx.addIssue({
      code: 'custom',
      path: ['DATABASE_READ_URL'],
      message:
        'needs PostgreSQL: a read replica serves a PostgreSQL primary, not the embedded database; ' +
        'set DATABASE_URL to the primary, or unset DATABASE_READ_URL',
    });
  }
}

function databaseKindOf(env: Pick<DatabaseEnv, 'DATABASE_TYPE' | 'DATABASE_URL'>): DatabaseConfig['kind'] {
  return env.DATABASE_TYPE ?? (env.DATABASE_URL ? 'postgres' : 'embedded');
}

/**
 * DATABASE_TYPE is inferred from DATABASE_URL when unset. The replica settings are read when the service's
 * schema has them (databaseReadEnvSchema) and DATABASE_READ_URL is set.
 */
export function toDatabaseConfig(env: DatabaseEnv & Partial<DatabaseReadEnv>): DatabaseConfig {
  const kind = databaseKindOf(env);
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
    ...(env.DATABASE_READ_URL
      ? {
          read: {
            url: env.DATABASE_READ_URL,
            maxLagMs: env.DATABASE_READ_MAX_LAG_MS ?? defaultReadMaxLagMs,
          },
        }
      : {}),
  };
}
