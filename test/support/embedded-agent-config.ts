// The configuration of a real pledge API server (agent/server.ts) on PGlite in memory, on a free port, with
// its rate limits off (a test's own traffic would hit them); `extra` adds or overrides settings.
import { type AgentConfig, loadAgentConfig } from '../../agent/config.ts';

export function embeddedAgentConfig(extra: Record<string, string> = {}): AgentConfig {
  return loadAgentConfig({
    DATABASE_TYPE: 'embedded',
    PULSE_DATA_DIR: 'memory://',
    PORT: '0',
    RATE_LIMIT_API: 'off',
    RATE_LIMIT_AUTH: 'off',
    ...extra,
  });
}
