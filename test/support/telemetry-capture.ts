import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll } from 'vitest';
import { captureText } from './leak-capture.js';
import { OnDemandReader } from './telemetry.js';

// Runs in every test file (vitest setupFiles), after leak-capture.ts: an OpenTelemetry SDK is
// registered globally, as an app's would be, so every portal the suite builds is traced and
// measured. Every span's name, attributes, events and status, and every metric's data point
// labels, go to the final leak check with the file's logs and audit events.

const capturingProcessor: SpanProcessor = {
  onStart: () => undefined,
  onEnd: (span: ReadableSpan) => {
    captureText(JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, status: span.status, links: span.links }));
  },
  forceFlush: async () => undefined,
  shutdown: async () => undefined,
};

const reader = new OnDemandReader();
// A file's process may have run another file's setup before: start from a clean global state.
context.disable();
trace.disable();
metrics.disable();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [capturingProcessor] }));
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

afterAll(async () => {
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      captureText(JSON.stringify({ name: metric.descriptor.name, points: metric.dataPoints.map((point) => point.attributes) }));
    }
  }
});
