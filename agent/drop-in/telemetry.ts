// The metrics pipeline of the drop-in: one MeterProvider (set as the global one, so `@opentelemetry/api`
// instruments anywhere in the app report through it) with the resource attributes every series carries, a
// Prometheus reader, and OTLP/HTTP push when OTEL_EXPORTER_OTLP_ENDPOINT is set. The Prometheus endpoint and
// the runtime metrics start when the application first listens — a process that never serves (npm, a
// shell, a build step run with the same NODE_OPTIONS) binds no port and pays for nothing.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  type IMetricReader,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { fromPackageRoot } from '../../core/package-root.ts';
import { attribute, instrument } from '../../core/telemetry/agent-metric-names.ts';
import { markUntracked } from '../../core/telemetry/untracked-server.ts';
import type { TelemetryConfig } from '../config.ts';
import { switchOff } from './fault-guard.ts';

export interface Telemetry {
  readonly provider: MeterProvider;
  /** Binds the Prometheus endpoint and starts the runtime metrics; later calls do nothing. */
  startServing(): void;
  shutdown(): Promise<void>;
}

function pulseVersion(): string {
  try {
    const packageJson = fromPackageRoot('package.json');
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function createTelemetry(config: TelemetryConfig): Promise<Telemetry> {
  // OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME win over these defaults (compose sets service.instance.id).
  const resource = resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME ?? 'pledgr-agent',
    [attribute.version]: pulseVersion(),
    [attribute.instance]: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
    'deployment.environment': config.environment,
    'deployment.environment.name': config.environment,
    ...(config.deploymentColor ? { [attribute.color]: config.deploymentColor } : {}),
    [attribute.canary]: config.canary,
  }).merge(detectResources({ detectors: [envDetector] }));
  const prometheus = new PrometheusExporter({
    preventServerStart: true,
    // Every series carries the instance, version and colour, so per-instance and canary splits need no join.
    withResourceConstantLabels:
      /^(service\.(name|version|instance\.id)|deployment\.(environment|color|canary))$/,
  });
  const readers: IMetricReader[] = [prometheus];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) {
    // Loaded only when asked for: most deployments are scraped, and every module costs startup time.
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: Number(process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 15_000),
      }),
    );
  }
  const provider = new MeterProvider({
    resource,
    readers,
    // With traces on, the http and pg span instrumentations record metrics of their own: the drop-in
    // already counts each request and query once.
    views: ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg'].map((meterName) => ({
      meterName,
      aggregation: { type: AggregationType.DROP },
    })),
  });
  metrics.setGlobalMeterProvider(provider);

  let server: Server | undefined;
  const startServing = () => {
    if (server) return;
    server = createServer((req, res) => prometheus.getMetricsRequestHandler(req, res));
    markUntracked(server);
    server.on('error', (error) =>
      switchOff(`Prometheus endpoint on ${config.metricsHost}:${config.metricsPort}`, error),
    );
    server.listen(config.metricsPort, config.metricsHost, () => {
      process.stderr.write(
        `pulse agent: Prometheus metrics on http://${config.metricsHost}:${config.metricsPort}/metrics` +
          `${readers.length > 1 ? ', OTLP push on' : ''}\n`,
      );
    });
    server.unref();
    registerInstrumentations({
      meterProvider: provider,
      instrumentations: [new RuntimeNodeInstrumentation()],
    });
    metrics
      .getMeter('pledgr-agent')
      .createObservableUpDownCounter(instrument.rss, {
        description: 'Resident set size of the process',
        unit: 'By',
      })
      .addCallback((result) => result.observe(process.memoryUsage.rss()));
  };

  return {
    provider,
    startServing,
    async shutdown() {
      server?.close();
      await provider.shutdown();
    },
  };
}
