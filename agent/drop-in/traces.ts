// Traces are off unless OTEL_TRACES_EXPORTER asks for them (Pulse's product is metrics). Then the
// OpenTelemetry NodeSDK starts with the http, express, pg, ioredis and undici span instrumentations — loaded
// only in that case: they cost startup time and CPU per request. Their own metrics are dropped by the views
// of telemetry.ts, so each request and query is still counted once.
export async function startTracesIfAsked(): Promise<(() => Promise<void>) | undefined> {
  const exporter = process.env.OTEL_TRACES_EXPORTER ?? 'none';
  if (exporter === 'none') return undefined;
  // The drop-in's MeterProvider serves metrics; the NodeSDK must not start a second one, nor push logs.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  process.env.OTEL_SEMCONV_STABILITY_OPT_IN ??= 'http';
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { getNodeAutoInstrumentations } = await import('@opentelemetry/auto-instrumentations-node');
  const spans = { enabled: true };
  const off = { enabled: false };
  const sdk = new NodeSDK({
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': off,
        '@opentelemetry/instrumentation-dns': off,
        '@opentelemetry/instrumentation-net': off,
        '@opentelemetry/instrumentation-runtime-node': off,
        '@opentelemetry/instrumentation-http': spans,
        '@opentelemetry/instrumentation-express': spans,
        '@opentelemetry/instrumentation-pg': spans,
        '@opentelemetry/instrumentation-undici': spans,
        '@opentelemetry/instrumentation-ioredis': spans,
      }),
    ],
  });
  sdk.start();
  return () => sdk.shutdown();
}
