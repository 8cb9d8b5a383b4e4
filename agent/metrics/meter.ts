// The agent's meter, from the global OpenTelemetry API: the application never touches the SDK (the drop-in
// agent, agent/register.js, sets it up). With OTEL_SDK_DISABLED=true every instrument is a no-op.
import { metrics } from '@opentelemetry/api';

export const agentMeter = () => metrics.getMeter('pledgr-agent');
