// The agent's meter, from the global OpenTelemetry API: the application never touches the SDK (the drop-in
// agent, agent/register.js, sets it up). With OTEL_SDK_DISABLED=true every instrument is a no-op.
import { metrics } from '@opentelemetry/api';
import { instrument } from '../../core/telemetry/agent-metric-names.ts';

export const agentMeter = () => metrics.getMeter('pledgr-agent');

/**
 * How the agent is set up, as gauges the collector's scaling checklist reads (collector/scaling/
 * agent-series.ts): `pledgr_http_trusted_proxies`, the number of entries of TRUST_PROXY (0: none), so
 * "behind a load balancer" can be seen from outside.
 */
export function recordTrustedProxies(trustProxy: false | readonly string[]): void {
  agentMeter()
    .createGauge(instrument.trustedProxies, {
      description: 'Addresses or subnets whose X-Forwarded-For the API trusts (TRUST_PROXY); 0 when none',
      unit: '{proxy}',
    })
    .record(trustProxy === false ? 0 : trustProxy.length);
}
