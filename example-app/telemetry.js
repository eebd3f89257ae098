// OTEL=1 npm start: the OpenTelemetry SDK, registered before the portal is built, as an app does
// it. Metrics are served for Prometheus on their own port (METRICS_PORT, default 9464), off the
// portal's; traces go to an OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) names one. These packages are the example's only: the
// package itself depends on @opentelemetry/api alone.
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Registers the SDK globally: context propagation, a meter provider read by a Prometheus
 * exporter on `metricsPort`, and a tracer provider exporting over OTLP/HTTP when `otlp` is set.
 * Returns what the start-up line prints and a shutdown that flushes the last spans.
 */
export async function registerTelemetry({ metricsPort = 9464, otlp = false } = {}) {
  const resource = resourceFromAttributes({ 'service.name': 'example-portal' });
  const prometheus = new PrometheusExporter({ host: 'localhost', port: metricsPort, preventServerStart: true });
  await prometheus.startServer();
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: otlp ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  metrics.setGlobalMeterProvider(meterProvider);
  trace.setGlobalTracerProvider(tracerProvider);
  return {
    metricsUrl: `http://localhost:${metricsPort}/metrics`,
    shutdown: () => Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]),
  };
}
