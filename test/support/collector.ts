// Starts a real collector (HTTP on a free loopback port) over a given database configuration, with known
// tokens, and offers a small fetch helper that sends a role's token.
import type { CollectorConfig } from '../../collector/config.ts';
import { type RunningCollector, type StartCollectorOptions, startCollector } from '../../collector/server.ts';
import type { DatabaseConfig } from '../../core/config/database-config.ts';

export const testTokens = {
  founder: 'founder-token-for-tests-0123',
  operator: 'operator-token-for-tests-0123',
};

export async function startTestCollector(
  database: DatabaseConfig,
  overrides: Partial<CollectorConfig> = {},
  options: StartCollectorOptions = {},
  log: (message: string) => void = () => undefined,
): Promise<RunningCollector> {
  const config: CollectorConfig = {
    database,
    currency: 'USD',
    host: '127.0.0.1',
    port: 0,
    founderToken: testTokens.founder,
    operatorToken: testTokens.operator,
    health: { agentMetricsUrls: [], scrapeIntervalMs: 5_000, retentionMs: 3_600_000 },
    alerts: { evaluationIntervalMs: 60_000 },
    redisConfigured: false,
    ...overrides,
  };
  return startCollector(config, log, options);
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export async function getJson(
  collector: RunningCollector,
  path: string,
  role?: keyof typeof testTokens | 'wrong',
): Promise<JsonResponse> {
  const headers: Record<string, string> = {};
  if (role)
    headers.authorization = `Bearer ${role === 'wrong' ? 'not-a-real-token-at-all' : testTokens[role]}`;
  const response = await fetch(`${collector.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, body: await response.json() };
}
