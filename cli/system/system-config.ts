// The settings of `pulse start`: the agent's, the preload's and the collector's configuration read from one
// environment, with the demo's defaults where the environment is silent — rate limits high enough for the
// synthetic traffic, which all comes from one address (RATE_LIMIT_API / RATE_LIMIT_AUTH still override).

import { z } from 'zod';
import { loadAgentConfig, loadTelemetryConfig } from '../../agent/config.ts';
import { loadCollectorConfig } from '../../collector/config.ts';
import { type Env, parseEnv } from '../../core/config/parse-env.ts';
import type { SystemSettings } from './run-system.ts';

export const demoRateLimits = { RATE_LIMIT_API: '100000/15m', RATE_LIMIT_AUTH: '10000/15m' } as const;

export interface StartFlags {
  readonly dataDir?: string | undefined;
  readonly port?: number | undefined;
  readonly demo?: boolean | undefined;
}

/** The environment the child process of `pulse start` runs with: flags folded in as variables. */
export function systemEnv(env: Env, flags: StartFlags): Env {
  return {
    ...demoRateLimits,
    ...env,
    ...(flags.dataDir ? { PULSE_DATA_DIR: flags.dataDir } : {}),
    ...(flags.port !== undefined ? { COLLECTOR_PORT: String(flags.port) } : {}),
    PULSE_START_DEMO: flags.demo ? 'true' : 'false',
  };
}

export const systemSchema = z.object({
  // Where the embedded database executes: 'worker' (a thread of its own, so a KPI query does not stall the
  // pledge API's event loop) or 'main' (the old single thread; the demo benchmark compares both).
  PULSE_EMBEDDED_THREAD: z.enum(['worker', 'main']).default('worker'),
});

export function loadSystemSettings(env: Env): SystemSettings {
  return {
    embeddedThread: parseEnv(systemSchema, env).PULSE_EMBEDDED_THREAD,
    agent: loadAgentConfig(env),
    telemetry: env.OTEL_SDK_DISABLED === 'true' ? null : loadTelemetryConfig(env),
    collector: loadCollectorConfig(env),
    demo: env.PULSE_START_DEMO === 'true',
  };
}
