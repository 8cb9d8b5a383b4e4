// HEAD /api/events answers the event stream's headers at once and ends, subscribing nothing: 200 of them
// leave no listener on the hub and no socket held by a stream. Without a token it is refused like GET.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCollector } from '../../collector/server.ts';
import { startTestCollector, testTokens } from '../support/collector.ts';

describe('HEAD /api/events', () => {
  let collector: RunningCollector;
  const head = (token?: string) =>
    fetch(`${collector.url}/api/events`, {
      method: 'HEAD',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(3_000),
    });

  beforeAll(async () => {
    collector = await startTestCollector({ kind: 'embedded', dataDir: 'memory://' });
  }, 60_000);
  afterAll(async () => {
    await collector?.stop();
  });

  it('answers 200 with the stream headers at once and holds no subscription', async () => {
    const started = performance.now();
    const response = await head(testTokens.operator);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await response.text()).toBe('');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(collector.events.listenerCount).toBe(0);
  });

  it('leaves no listener after 200 at once, and is still refused without a token', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, () => head(testTokens.founder)));
    expect(answers.map((response) => response.status)).toEqual(Array(200).fill(200));
    expect(collector.events.listenerCount).toBe(0);
    expect((await head()).status).toBe(401);
  });
});
