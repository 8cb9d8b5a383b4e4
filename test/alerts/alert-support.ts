// Helpers for the alert suites: hand-built health points and snapshots (every figure quiet unless a test
// says otherwise), a clock the test moves, a fixed-snapshot input gatherer, and an HTTP receiver on
// loopback that records what it is sent and answers with a status the test chooses per attempt.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertInputGatherer } from '../../collector/alerts/gather-inputs.ts';
import type { AlertSnapshot } from '../../collector/alerts/inputs.ts';
import type { Clock } from '../../collector/alerts/types.ts';
import type { HealthPoint } from '../../collector/health/types.ts';

export const t0 = Date.parse('2026-06-15T12:00:00Z');
export const mib = 1024 ** 2;

export function healthPoint(overrides: Partial<HealthPoint> = {}): HealthPoint {
  return {
    t: t0,
    requestsPerSecond: 10,
    errorRatio: 0,
    latencyP50: 0.02,
    latencyP95: 0.1,
    latencyP99: 0.2,
    dbQueryP95: {},
    poolUsed: 2,
    poolIdle: 8,
    poolPending: 0,
    poolMax: 20,
    heapUsedBytes: 80 * mib,
    rssBytes: 200 * mib,
    eventLoopP99: 0.01,
    rateLimitRejectionsPerSecond: 0,
    ...overrides,
  };
}

/** Four mature months at 30 % conversion (90 of 300 each), then an immature month that looks low. */
export const steadyConversion = [
  { periodStart: '2026-01-01T00:00:00.000Z', cohort: 300, converted: 90, mature: true },
  { periodStart: '2026-02-01T00:00:00.000Z', cohort: 300, converted: 90, mature: true },
  { periodStart: '2026-03-01T00:00:00.000Z', cohort: 300, converted: 90, mature: true },
  { periodStart: '2026-04-01T00:00:00.000Z', cohort: 300, converted: 90, mature: true },
  { periodStart: '2026-05-01T00:00:00.000Z', cohort: 300, converted: 40, mature: false },
];

/** A snapshot taken at `now` in which no rule's condition holds. */
export function quietSnapshot(now: number = t0, overrides: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return {
    health: { total: healthPoint({ t: now }), instances: [] },
    healthFreshness: { lastSuccessAt: now, since: t0 },
    users: 50,
    databaseKind: 'postgres',
    lastMonthChurn: {
      periodStart: '2026-05-01T00:00:00.000Z',
      pledgersAtStart: 100,
      churnedPledgers: 2,
      logoChurnRate: 0.02,
    },
    conversion: steadyConversion,
    kpiFreshness: { lastSuccessAt: now, since: t0 },
    legacyFollow: [],
    sensitiveFilesServed: 0,
    databaseConnections: { used: 10, hidden: 0, maxConnections: 100, reserved: 3, limit: 97 },
    checklist: null,
    sloBurnRates: null,
    ...overrides,
  };
}

export interface ManualClock extends Clock {
  set(instant: number): void;
  advanceSeconds(seconds: number): void;
}

export function manualClock(start: number = t0): ManualClock {
  let current = start;
  return {
    now: () => current,
    set(instant) {
      current = instant;
    },
    advanceSeconds(seconds) {
      current += seconds * 1000;
    },
  };
}

/** A gatherer whose snapshot the test sets before each evaluation; health health points follow the clock. */
export function fixedInputs(clock: Clock, initial: Partial<AlertSnapshot> = {}) {
  let overrides = initial;
  const inputs: AlertInputGatherer & { set(next: Partial<AlertSnapshot>): void } = {
    gather: async () => quietSnapshot(clock.now(), overrides),
    set(next) {
      overrides = next;
    },
  };
  return inputs;
}

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly contentType: string | undefined;
}

export interface TestReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** `statusFor(n)` answers the n-th request (1-based); it may return a promise to hold the answer back. */
export async function startReceiver(
  statusFor: (attempt: number) => number | Promise<number> = () => 200,
): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      body: text ? JSON.parse(text) : null,
      contentType: req.headers['content-type'],
    });
    const status = await statusFor(requests.length);
    res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Retries in milliseconds so a suite of retry tests runs in well under a second. */
export const fastRetry = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 };
