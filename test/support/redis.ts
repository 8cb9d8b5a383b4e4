// Suites that need the real Redis (PULSE_TEST_REDIS_URL, default 127.0.0.1:6379): they run when it answers,
// skip with the reason printed when it does not — except in CI (CI=true), where a missing Redis fails the run.
// Also a TCP relay in front of it that a test can cut (Redis gone) or freeze (Redis stops answering).
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { Redis } from 'ioredis';
import { describe, it } from 'vitest';
import { inCi } from './postgres.ts';

export const testRedisUrl = process.env.PULSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function probeRedis(): Promise<string | null> {
  const redis = new Redis(testRedisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return `Redis not reachable at ${testRedisUrl}: ${(error as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

/** null when Redis answers; otherwise why not. Probed once per test file. */
export const redisUnavailable = await probeRedis();

export function describeWithRedis(name: string, suite: () => void): void {
  if (redisUnavailable === null) {
    describe(name, suite);
  } else if (inCi) {
    describe(name, () => {
      it('needs Redis, which CI must provide', () => {
        throw new Error(redisUnavailable as string);
      });
    });
  } else {
    console.warn(`[skipped] ${name}: ${redisUnavailable} (set PULSE_TEST_REDIS_URL)`);
    describe.skip(name, suite);
  }
}

/** Deletes every key under `prefix` (a test's own key prefix). */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export interface RedisRelay {
  /** redis:// URL of the relay. */
  readonly url: string;
  /** Redis gone: open connections are cut and new ones refused. */
  cut(): Promise<void>;
  /** Redis stops answering: connections stay open, nothing is relayed either way. */
  freeze(): void;
  /** Redis back after cut(): listening again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A loopback TCP relay to the test Redis. */
export async function startRedisRelay(): Promise<RedisRelay> {
  const target = new URL(testRedisUrl);
  const sockets = new Set<Socket>();
  let frozen = false;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => {
      if (!frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!frozen) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('relay has no port');
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    url: `redis://127.0.0.1:${address.port}`,
    async cut() {
      const closed = stopListening();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    freeze() {
      frozen = true;
    },
    async restore() {
      frozen = false;
      await new Promise<void>((resolve) => server.listen(address.port, '127.0.0.1', resolve));
    },
    async close() {
      const closed = stopListening();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** A redis:// URL on which nothing listens. */
export async function closedRedisUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return `redis://127.0.0.1:${address.port}`;
}
