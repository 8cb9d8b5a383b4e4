// The agent's meter, from the global OpenTelemetry API: the application never touches the SDK (it lives in
// agent/instrument.ts). With OTEL_SDK_DISABLED=true every instrument is a no-op.
import { metrics } from '@opentelemetry/api';

export const agentMeter = () => metrics.getMeter('pledgr-agent');
