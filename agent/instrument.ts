// The instrumentation preload — the only file that touches the OpenTelemetry SDK. It must run before the
// application imports express, http or pg: `node --import tsx --import ./agent/instrument.ts agent/main.ts`
// (what `pulse agent` does). It registers the ESM hook (without it Express is not patched and http.route is
// missing), then starts the NodeSDK with the auto-instrumentations (fs, pg, dns, net off: the data layer
// records query metrics itself, once per query), the runtime metrics, a Prometheus endpoint on
// METRICS_PORT, and OTLP/HTTP push when OTEL_EXPORTER_OTLP_ENDPOINT is set. OTEL_SDK_DISABLED=true turns
// it all off. Standard OTEL_* variables are read by the SDK itself.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { hostname } from 'node:os';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

// HTTP metrics under their stable names, in seconds (http.server.request.duration).
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
  const { RuntimeNodeInstrumentation } = await import('@opentelemetry/instrumentation-runtime-node');
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const { PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
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

  const sdk = new NodeSDK({
    resource,
    metricReaders: readers,
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-pg': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
        '@opentelemetry/instrumentation-undici': { enabled: false },
        '@opentelemetry/instrumentation-ioredis': { enabled: false },
      }),
      new RuntimeNodeInstrumentation(),
    ],
  });
  sdk.start();
  (globalThis as Record<symbol, unknown>)[telemetryShutdownKey] = () => sdk.shutdown();
  process.stderr.write(
    `telemetry: Prometheus metrics on http://${telemetry.metricsHost}:${telemetry.metricsPort}/metrics` +
      `${readers.length > 1 ? ', OTLP push on' : ''}\n`,
  );
}
