// Slow and excess clients cannot hold the services' sockets: headers not complete within
// HTTP_HEADERS_TIMEOUT and requests (body included) not complete within HTTP_REQUEST_TIMEOUT get 408 as
// JSON and are closed, on the agent and the collector; the event stream, a finished request, is exempt and
// stays open; connections past HTTP_MAX_CONNECTIONS are closed unanswered; and a token holds at most
// EVENT_STREAMS_PER_TOKEN event streams (429 past that). Short limits keep the test quick.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config.ts';
import { type RunningAgent, startAgent } from '../../agent/server.ts';
import { type CollectorLimits, defaultCollectorLimits, loadCollectorConfig } from '../../collector/config.ts';
import type { RunningCollector } from '../../collector/server.ts';
import { startTestCollector, testTokens } from '../support/collector.ts';
import { embeddedAgentConfig } from '../support/embedded-agent-config.ts';
import { RawConnection } from '../support/raw-http.ts';

const operator = `Authorization: Bearer ${testTokens.operator}\r\n`;
const founder = `Authorization: Bearer ${testTokens.founder}\r\n`;
const slowBody = (path: string, auth = '') =>
  `POST ${path} HTTP/1.1\r\nHost: t\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`;
const slowHeaders = 'GET /healthz HTTP/1.1\r\nHost: t\r\n';
const stream = (auth: string) => `GET /api/events HTTP/1.1\r\nHost: t\r\n${auth}\r\n`;
const timeoutAnswer = {
  error: {
    code: 'request_timeout',
    message: 'the request was not received in time; send it whole, without pauses',
  },
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const limits = (http: CollectorLimits['http'], eventStreamsPerToken = 3): CollectorLimits => ({
  ...defaultCollectorLimits,
  http,
  eventStreamsPerToken,
});

/** Waits for the server to close `connection`; returns when, in ms after connecting. */
async function closedAfter(connection: RawConnection, withinMs: number): Promise<number> {
  expect(await connection.until((c) => c.closed, withinMs), `closed within ${withinMs} ms`).toBe(true);
  return connection.closedAfterMs as number;
}

describe('slow clients and the event stream (headers 1 s, request 2 s)', () => {
  let collector: RunningCollector;
  let agent: RunningAgent;
  const open: RawConnection[] = [];
  const connect = (url: string, firstBytes: string) => {
    const connection = new RawConnection(url, firstBytes);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    collector = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      { limits: limits({ headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxConnections: 1_000 }) },
    );
    agent = await startAgent(
      embeddedAgentConfig({ HTTP_HEADERS_TIMEOUT: '1s', HTTP_REQUEST_TIMEOUT: '2s' }),
      () => undefined,
    );
  }, 60_000);
  afterAll(async () => {
    for (const connection of open) connection.close();
    await agent?.stop();
    await collector?.stop();
  });

  for (const [name, url, path, auth] of [
    ['collector', () => collector.url, '/api/scaling/items/automated-backups', operator],
    ['agent', () => agent.url, '/api/auth/register', ''],
  ] as const) {
    it(`${name}: a body trickled past the request timeout gets 408 request_timeout as JSON, then the socket closes`, async () => {
      const connection = connect(url(), slowBody(path, auth));
      connection.trickle(' ', 200);
      const after = await closedAfter(connection, 8_000);
      expect(after).toBeGreaterThanOrEqual(1_900);
      expect(connection.statusLine).toBe('HTTP/1.1 408 Request Timeout');
      expect(JSON.parse(connection.body)).toEqual(timeoutAnswer);
    });

    it(`${name}: headers trickled past the headers timeout get 408 as JSON, then the socket closes`, async () => {
      const connection = connect(url(), slowHeaders);
      connection.trickle('X-Slow: 1\r\n', 200);
      const after = await closedAfter(connection, 6_000);
      expect(after).toBeGreaterThanOrEqual(900);
      expect(connection.statusLine).toBe('HTTP/1.1 408 Request Timeout');
      expect(JSON.parse(connection.body)).toEqual(timeoutAnswer);
    });
  }

  it('keeps an event stream open past the request timeout (the request itself is complete)', async () => {
    const connection = connect(collector.url, stream(operator));
    expect(await connection.until((c) => c.statusLine !== '', 5_000)).toBe(true);
    expect(connection.statusLine).toBe('HTTP/1.1 200 OK');
    await sleep(3_500);
    expect(connection.closed).toBe(false);
    expect(collector.events.listenerCount).toBe(1);
    connection.close();
    await expect.poll(() => collector.events.listenerCount).toBe(0);
  });

  it('lets a token hold 3 event streams, refuses the 4th with 429 too_many_streams, and frees a slot on close', async () => {
    const first = [0, 1, 2].map(() => connect(collector.url, stream(operator)));
    for (const connection of first) {
      expect(await connection.until((c) => c.statusLine !== '', 5_000)).toBe(true);
      expect(connection.statusLine).toBe('HTTP/1.1 200 OK');
    }
    const fourth = connect(collector.url, stream(operator));
    expect(await fourth.until((c) => c.body.endsWith('}}'), 5_000)).toBe(true);
    expect(fourth.statusLine).toBe('HTTP/1.1 429 Too Many Requests');
    expect(fourth.received).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(JSON.parse(fourth.body)).toMatchObject({ error: { code: 'too_many_streams' } });
    // The founder's token has its own allowance.
    const founderStream = connect(collector.url, stream(founder));
    expect(await founderStream.until((c) => c.statusLine !== '', 5_000)).toBe(true);
    expect(founderStream.statusLine).toBe('HTTP/1.1 200 OK');
    expect(collector.events.listenerCount).toBe(4);

    first[0]?.close();
    await expect.poll(() => collector.events.listenerCount).toBe(3);
    const again = connect(collector.url, stream(operator));
    expect(await again.until((c) => c.statusLine !== '', 5_000)).toBe(true);
    expect(again.statusLine).toBe('HTTP/1.1 200 OK');
  });
});

describe('the connection cap (HTTP_MAX_CONNECTIONS=5)', () => {
  let collector: RunningCollector;
  const open: RawConnection[] = [];

  beforeAll(async () => {
    collector = await startTestCollector(
      { kind: 'embedded', dataDir: 'memory://' },
      { limits: limits({ headersTimeoutMs: 10_000, requestTimeoutMs: 10_000, maxConnections: 5 }) },
    );
  }, 60_000);
  afterAll(async () => {
    for (const connection of open) connection.close();
    await collector?.stop();
  });

  it('closes a connection past the cap without an answer, and serves again once one is free', async () => {
    for (let i = 0; i < 5; i++) open.push(new RawConnection(collector.url, slowHeaders));
    await sleep(300);
    const excess = new RawConnection(collector.url, 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
    open.push(excess);
    await closedAfter(excess, 3_000);
    expect(excess.received).toBe('');
    expect(open.slice(0, 5).every((connection) => !connection.closed)).toBe(true);

    open[0]?.close();
    await sleep(300);
    const served = new RawConnection(
      collector.url,
      'GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n',
    );
    open.push(served);
    expect(await served.until((c) => c.closed, 5_000)).toBe(true);
    expect(served.statusLine).toBe('HTTP/1.1 200 OK');
  });
});

describe('HTTP limit settings', () => {
  it('default to 10 s for headers, 30 s per request, 1,000 connections and 10 streams per token', () => {
    for (const config of [loadCollectorConfig({}).limits, loadAgentConfig({})]) {
      expect(config?.http).toEqual({
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        maxConnections: 1_000,
      });
    }
    expect(loadCollectorConfig({}).limits?.eventStreamsPerToken).toBe(10);
  });

  it('refuses a headers timeout longer than the request timeout, naming the variable', () => {
    for (const load of [loadCollectorConfig, loadAgentConfig]) {
      expect(() => load({ HTTP_HEADERS_TIMEOUT: '1m', HTTP_REQUEST_TIMEOUT: '30s' })).toThrow(
        /HTTP_HEADERS_TIMEOUT \("1m"\): must not be longer than HTTP_REQUEST_TIMEOUT/,
      );
      expect(() => load({ HTTP_MAX_CONNECTIONS: '0' })).toThrow(/HTTP_MAX_CONNECTIONS \("0"\)/);
    }
  });
});
