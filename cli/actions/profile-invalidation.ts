// What `import-sqlite --follow` tells the pledge API's profile cache: a sync that changed earlier users' rows
// (a name, the creator flag, an email's spelling) drops their cached profiles in Redis once it has committed, so
// no agent serves the old values for the rest of the cache's hour. Without REDIS_URL there is nothing to tell.
// Redis being down never stops the follower: the cache's own retry (agent/cache/profile-cache.ts) resends.
import { Redis } from 'ioredis';
import { createRedisProfileCache, profileCacheConnection } from '../../agent/cache/profile-cache.ts';

export interface ProfileInvalidation {
  invalidate(userIds: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

const noInvalidation: ProfileInvalidation = {
  invalidate: async () => undefined,
  close: async () => undefined,
};

export function profileInvalidation(redisUrl: string | undefined): ProfileInvalidation {
  if (!redisUrl) return noInvalidation;
  const shared = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  shared.on('error', () => undefined);
  const connection = profileCacheConnection(shared);
  const cache = createRedisProfileCache({
    redis: connection,
    record: () => undefined, // the follower serves no look-ups: nothing to count
    log: (message) => console.error(`import-sqlite: ${message}`),
  });
  return {
    async invalidate(userIds) {
      for (const id of userIds) await cache.invalidate(id);
    },
    async close() {
      connection.disconnect();
      shared.disconnect();
    },
  };
}
