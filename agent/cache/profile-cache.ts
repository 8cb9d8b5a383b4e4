// The scaling guide's "cache user profiles for 1 hour", built: a read-through cache in Redis of the signed-in
// user's public profile (what GET /api/me answers: id, email, name, createdAt), on only when REDIS_URL is set.
//
// - Key by user id only: `pulse:user:<id>:profile`; value: those four fields as JSON, never a password hash, a
//   token or pledge data. A value whose id is not the one asked for is never served.
// - TTL 3600 s (the guide's hour). A miss reads the database and fills with SET … NX, so a fill never overwrites.
// - Invalidation, called after the write committed, replaces the value with a short-lived tombstone (10 s)
//   instead of deleting it: a request that read the old row just before the write cannot put it back (its
//   NX fill fails on the tombstone), and reads during those seconds go to the database.
// - Redis is never needed to answer: a Redis error or timeout (the client has a short command timeout and no
//   offline queue) counts as result="error" and the profile is read from the database. An invalidation that
//   could not reach Redis is remembered and retried when Redis is back (before this instance reads that
//   user's key again).
// - Sessions are not cached: the token check stays a database read on every request, so a revoked or expired
//   token is refused at once whatever state Redis is in.
import type { Redis } from 'ioredis';
import type { Queryable } from '../../core/db/types.ts';
import { getUser, type UserRow } from '../stores/user-store.ts';
import { cacheLookupRecorder, type LookupRecorder } from './cache-metrics.ts';

export interface ProfileCache {
  /** The user's profile: from the cache when it holds it, else from the database (then cached). */
  profile(db: Queryable, userId: number): Promise<UserRow | null>;
  /** Forgets the cached profile of `userId`; call after the write that changed the user committed. */
  invalidate(userId: number): Promise<void>;
}

/** No cache (REDIS_URL unset): every profile is read from the database, and no cache metric exists. */
export const uncachedProfiles: ProfileCache = {
  profile: (db, userId) => getUser(db, userId),
  invalidate: async () => undefined,
};

export const profileTtlSeconds = 3600;
export const tombstoneSeconds = 10;
const tombstone = '-';

export interface RedisProfileCacheOptions {
  readonly redis: Redis;
  /** Key prefix (tests use their own); default `pulse:`. */
  readonly keyPrefix?: string;
  readonly ttlSeconds?: number;
  /** Counts look-ups; default: the pledgr.cache.lookups counter. */
  readonly record?: LookupRecorder;
  /** Told once when Redis starts failing and once when it answers again; never given keys or user data. */
  readonly log?: (message: string) => void;
}

interface CachedProfile {
  readonly id: number;
  readonly email: string;
  readonly name: string | null;
  readonly createdAt: string;
}

function parseProfile(text: string, userId: number): UserRow | null {
  try {
    const value = JSON.parse(text) as Partial<CachedProfile>;
    if (value.id !== userId || typeof value.email !== 'string' || typeof value.createdAt !== 'string')
      return null;
    if (value.name !== null && typeof value.name !== 'string') return null;
    const createdAt = new Date(value.createdAt);
    if (Number.isNaN(createdAt.getTime())) return null;
    return { id: value.id, email: value.email, name: value.name ?? null, createdAt };
  } catch {
    return null;
  }
}

function serialize(user: UserRow): string {
  const value: CachedProfile = {
    id: user.id,
    email: user.email,
    name: user.name,
    createdAt: user.createdAt.toISOString(),
  };
  return JSON.stringify(value);
}

/**
 * The cache's own connection, from the one the rate limiter uses (same URL and options) but failing fast: a
 * command waits at most `commandTimeoutMs` and none is queued while disconnected, so a Redis outage costs a
 * request milliseconds, not the reconnect time. Connects in the background: Redis being down is not an error.
 */
export function profileCacheConnection(shared: Redis, commandTimeoutMs = 100): Redis {
  const connection = shared.duplicate({
    commandTimeout: commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  });
  connection.on('error', () => undefined); // reported once by the cache itself, without details
  connection.connect().catch(() => undefined);
  return connection;
}

export function createRedisProfileCache(options: RedisProfileCacheOptions): ProfileCache {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'pulse:';
  const ttl = options.ttlSeconds ?? profileTtlSeconds;
  const record = options.record ?? cacheLookupRecorder('user_profile');
  const log = options.log ?? (() => undefined);
  const keyOf = (userId: number) => `${prefix}user:${userId}:profile`;
  /** Users whose invalidation did not reach Redis: not read from the cache until it has. */
  const unsent = new Set<number>();
  let failing = false;

  const failed = () => {
    if (!failing) log('profile cache: Redis unavailable, profiles are read from the database');
    failing = true;
  };
  const answered = () => {
    if (failing) log('profile cache: Redis answers again');
    failing = false;
  };

  const sendTombstone = async (userId: number) => {
    await redis.set(keyOf(userId), tombstone, 'EX', tombstoneSeconds);
  };
  async function flushUnsent(): Promise<void> {
    for (const userId of [...unsent]) {
      await sendTombstone(userId);
      unsent.delete(userId);
    }
  }
  redis.on('ready', () => {
    flushUnsent().catch(() => undefined);
  });

  return {
    async profile(db, userId) {
      let cached: string | null;
      try {
        if (unsent.size > 0) await flushUnsent();
        cached = await redis.get(keyOf(userId));
        answered();
      } catch {
        failed();
        record('error');
        return getUser(db, userId);
      }
      const hit = cached !== null && cached !== tombstone ? parseProfile(cached, userId) : null;
      if (hit) {
        record('hit');
        return hit;
      }
      record('miss');
      const user = await getUser(db, userId);
      if (user && cached === null) {
        await redis.set(keyOf(userId), serialize(user), 'EX', ttl, 'NX').then(answered, failed);
      } else if (user && cached !== tombstone) {
        // Not a profile of this user (unreadable, or another id): replaced, never served.
        await redis.set(keyOf(userId), serialize(user), 'EX', ttl).then(answered, failed);
      }
      return user;
    },
    async invalidate(userId) {
      try {
        await sendTombstone(userId);
        answered();
      } catch {
        failed();
        unsent.add(userId);
      }
    },
  };
}
