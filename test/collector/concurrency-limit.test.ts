// The limit on KPI work: at most maxRunning tasks at once, the next ones waiting in arrival order, a full
// line refused at once with how long to wait, and a caller who leaves giving up its place.
import { describe, expect, it } from 'vitest';
import { BusyError, ConcurrencyLimit } from '../../collector/http/concurrency-limit.ts';

/** A task that runs until `finish` is called, recording when it started. */
function controllable(started: string[], name: string) {
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return {
    task: async () => {
      started.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most maxRunning tasks at once and starts the waiting ones in arrival order', async () => {
    const limit = new ConcurrencyLimit({ maxRunning: 2, maxQueued: 5 });
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => controllable(started, name));
    const results = tasks.map(({ task }) => limit.run(task));
    await turn();
    expect(started).toEqual(['a', 'b']);
    expect([limit.running, limit.queued]).toEqual([2, 2]);
    tasks[1]?.finish();
    await turn();
    expect(started).toEqual(['a', 'b', 'c']);
    expect([limit.running, limit.queued]).toEqual([2, 1]);
    for (const { finish } of tasks) finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect([limit.running, limit.queued]).toEqual([0, 0]);
  });

  it('refuses a task at once with BusyError and a 1–60 s wait when the line is full', async () => {
    const limit = new ConcurrencyLimit({ maxRunning: 1, maxQueued: 1 });
    const started: string[] = [];
    const first = controllable(started, 'first');
    const second = controllable(started, 'second');
    const running = [limit.run(first.task), limit.run(second.task)];
    const refused = await limit.run(async () => 'third').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BusyError);
    expect((refused as BusyError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((refused as BusyError).retryAfterSeconds).toBeLessThanOrEqual(60);
    first.finish();
    second.finish();
    await Promise.all(running);
    expect(started).toEqual(['first', 'second']);
  });

  it('refuses anything beyond maxRunning when maxQueued is 0', async () => {
    const limit = new ConcurrencyLimit({ maxRunning: 1, maxQueued: 0 });
    const only = controllable([], 'only');
    const running = limit.run(only.task);
    await expect(limit.run(async () => 'next')).rejects.toBeInstanceOf(BusyError);
    only.finish();
    await running;
  });

  it('drops a waiting task whose caller left, without running it', async () => {
    const limit = new ConcurrencyLimit({ maxRunning: 1, maxQueued: 2 });
    const started: string[] = [];
    const first = controllable(started, 'first');
    const leaving = controllable(started, 'leaving');
    const gone = new AbortController();
    const running = limit.run(first.task);
    const waiting = limit.run(leaving.task, gone.signal);
    gone.abort();
    await expect(waiting).rejects.toThrow();
    expect(limit.queued).toBe(0);
    first.finish();
    await running;
    expect(started).toEqual(['first']);
    expect(limit.running).toBe(0);
  });

  it('frees the slot of a task that fails', async () => {
    const limit = new ConcurrencyLimit({ maxRunning: 1, maxQueued: 0 });
    await expect(limit.run(() => Promise.reject(new Error('query failed')))).rejects.toThrow('query failed');
    expect(await limit.run(async () => 'next')).toBe('next');
  });

  it('refuses limits that would block or admit everything', () => {
    expect(() => new ConcurrencyLimit({ maxRunning: 0, maxQueued: 1 })).toThrow(RangeError);
    expect(() => new ConcurrencyLimit({ maxRunning: 1, maxQueued: -1 })).toThrow(RangeError);
  });
});
