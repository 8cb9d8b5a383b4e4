// An in-process pledge API over a test database (no telemetry SDK, no rate limits unless asked), on a free
// loopback port, with a small client that speaks its JSON.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAgentApp } from '../../agent/app.ts';
import type { ProfileCache } from '../../agent/cache/profile-cache.ts';
import type { AgentConfig } from '../../agent/config.ts';
import type { Db } from '../../core/db/types.ts';

export interface TestAgent {
  readonly url: string;
  close(): Promise<void>;
}

export async function startTestAgent(
  db: Db,
  overrides: Partial<Pick<AgentConfig, 'rateLimitApi' | 'rateLimitAuth' | 'faults' | 'trustProxy'>> = {},
  options: { readonly profiles?: ProfileCache } = {},
): Promise<TestAgent> {
  const app = createAgentApp({
    db,
    ...options,
    config: {
      rateLimitApi: null,
      rateLimitAuth: null,
      sessionTtlHours: 1,
      faults: { routes: [], latencyMs: 0, errorRate: 0 },
      trustProxy: false,
      ...overrides,
    },
    log: () => undefined,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export async function call<T = Record<string, unknown>>(
  agent: TestAgent,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${agent.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : null) as T };
}
