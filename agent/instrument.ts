// The instrumentation preload — the only file that touches the OpenTelemetry SDK. It must run before the
// application imports express, http or pg: `node --import tsx --import ./agent/instrument.ts agent/main.ts`
// (what `pulse agent` does). It registers the ESM hook (without it Express is not patched in ESM), then
// starts the NodeSDK with the auto-instrumentations, a Prometheus endpoint on METRICS_PORT, and OTLP/HTTP
// push when OTEL_EXPORTER_OTLP_ENDPOINT is set. OTEL_SDK_DISABLED=true turns it all off; standard OTEL_*
// variables are read by the SDK itself.
//
// Metrics are the product; traces are off unless OTEL_TRACES_EXPORTER asks for them. The application
// records HTTP and query metrics itself (metrics/http-metrics.ts, metrics/db-metrics.ts), once each, with
// route templates and query names. The instrumentations whose only use here would be spans — http, express,
// pg, ioredis, undici — run only when traces are exported, and their own copies of those metrics are then
// dropped by views. Runtime metrics (event loop, heap, GC) come from instrumentation-runtime-node. fs, dns
// and net stay off: noise, and cost on every call.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { hostname } from 'node:os';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

// Spans of instrumentation-http (when traces are on) under the stable attribute names.
process.env.OTEL_SEMCONV_STABILITY_OPT_IN ??= 'http';
// Pulse exports metrics. Left at their defaults, traces and logs would be pushed to localhost:4318 whether
// or not anything listens there; they stay off unless asked for.
process.env.OTEL_TRACES_EXPORTER ??= 'none';
process.env.OTEL_LOGS_EXPORTER ??= 'none';

/** Called by the agent's shutdown to flush and stop telemetry; absent when the SDK is off. */
export const telemetryShutdownKey = Symbol.for('pledgr.telemetry.shutdown');

if (process.env.OTEL_SDK_DISABLED !== 'true') {
  const { loadTelemetryConfig } = await import('./config.ts');
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { getNodeAutoInstrumentations } = await import('@opentelemetry/auto-instrumentations-node');
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const { AggregationType, PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');

  const telemetry = loadTelemetryConfig();
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  const resource = resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME ?? 'pledgr-agent',
    'service.version': version,
    'service.instance.id': `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    'deployment.environment': telemetry.environment,
    'deployment.environment.name': telemetry.environment,
    ...(telemetry.deploymentColor ? { 'deployment.color': telemetry.deploymentColor } : {}),
    'deployment.canary': telemetry.canary,
  });

  const prometheus = new PrometheusExporter({
    host: telemetry.metricsHost,
    port: telemetry.metricsPort,
    // Every series carries the instance, version and colour, so per-instance and canary splits need no join.
    withResourceConstantLabels:
      /^(service\.(name|version|instance\.id)|deployment\.(environment|color|canary))$/,
  });
  const readers = [prometheus];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 15_000),
      }) as never,
    );
  }

  const tracing = (process.env.OTEL_TRACES_EXPORTER ?? 'none') !== 'none';
  const spansOnly = { enabled: tracing };
  const sdk = new NodeSDK({
    resource,
    metricReaders: readers,
    views: ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg'].map((meterName) => ({
      meterName,
      aggregation: { type: AggregationType.DROP },
    })),
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        '@opentelemetry/instrumentation-http': spansOnly,
        '@opentelemetry/instrumentation-express': spansOnly,
        '@opentelemetry/instrumentation-pg': spansOnly,
        '@opentelemetry/instrumentation-undici': spansOnly,
        '@opentelemetry/instrumentation-ioredis': spansOnly,
      }),
    ],
  });
  sdk.start();
  (globalThis as Record<symbol, unknown>)[telemetryShutdownKey] = () => sdk.shutdown();
  process.stderr.write(
    `telemetry: Prometheus metrics on http://${telemetry.metricsHost}:${telemetry.metricsPort}/metrics` +
      `${readers.length > 1 ? ', OTLP push on' : ''}\n`,
  );
}
