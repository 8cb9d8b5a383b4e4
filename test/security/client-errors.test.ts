// Requests Node refuses before Express (a head over 16 kB, a broken request line) answered by the real
// agent and collector servers with the JSON error shape, like every other 4xx — not Node's empty 431/400.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config.ts';
import { type RunningAgent, startAgent } from '../../agent/server.ts';
import type { RunningCollector } from '../../collector/server.ts';
import { startTestCollector } from '../support/collector.ts';

/** Sends raw bytes and returns the whole answer as text. */
function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('unparsable requests get a JSON error', () => {
  let agent: RunningAgent;
  let collector: RunningCollector;

  beforeAll(async () => {
    agent = await startAgent(
      loadAgentConfig({ DATABASE_TYPE: 'embedded', PULSE_DATA_DIR: 'memory://', PORT: '0' }),
      () => undefined,
    );
    collector = await startTestCollector({ kind: 'embedded', dataDir: 'memory://' });
  }, 60_000);
  afterAll(async () => {
    await agent?.stop();
    await collector?.stop();
  });

  for (const [name, url] of [
    ['agent', () => agent.url],
    ['collector', () => collector.url],
  ] as const) {
    it(`${name}: a 30 kB query string gets 431 headers_too_large as JSON`, async () => {
      const response = await fetch(`${url()}/api/artists?q=${'x'.repeat(30_000)}`);
      expect(response.status).toBe(431);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({
        error: { code: 'headers_too_large', message: expect.stringMatching(/16 kB/) },
      });
    });

    it(`${name}: a broken request line gets 400 bad_request as JSON`, async () => {
      const answer = await rawRequest(url(), 'GARBAGE\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toBe(
        JSON.stringify({
          error: { code: 'bad_request', message: 'the request could not be parsed as HTTP' },
        }),
      );
    });
  }
});
