import { context, createNoopMeter, ProxyTracerProvider, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader, type DataPoint, type MetricData } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TelemetryOptions } from '../../src/index.js';

/** A metric reader that reads only when asked (`collect()`). */
export class OnDemandReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** OpenTelemetry's providers as they are before any SDK registers: the `telemetry` option of a portal without one. */
export function withoutSdk(): TelemetryOptions {
  return { tracerProvider: new ProxyTracerProvider(), meterProvider: { getMeter: () => createNoopMeter() } };
}

/** What a portal under test reported through its own `telemetry` providers. */
export interface RecordedTelemetry {
  /** Pass as the portal's `telemetry` option. */
  readonly options: TelemetryOptions;
  /** Ended spans, oldest first. */
  spans(): ReadableSpan[];
  /** Ended spans named `name`. */
  spansNamed(name: string): ReadableSpan[];
  /** The spans whose parent is `parent`. */
  childrenOf(parent: ReadableSpan): ReadableSpan[];
  /** Every data point of the metric `name` now (cumulative). */
  points(name: string): Promise<DataPoint<unknown>[]>;
  /** The sum of `name`'s counter points whose labels include `labels`. */
  count(name: string, labels: Attributes): Promise<number>;
  /** Everything recorded, as text: for scanning for secrets. */
  text(): Promise<string>;
}

/**
 * An OpenTelemetry SDK of the test's own, with an in-memory span exporter and a metric reader.
 * Spans nest through the global context manager, as under any SDK: one is registered unless the
 * file's setup registered it already.
 */
export function recordTelemetry(): RecordedTelemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  const reader = new OnDemandReader();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const metrics = async (): Promise<MetricData[]> => (await reader.collect()).resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  const points = async (name: string) => (await metrics()).filter((metric) => metric.descriptor.name === name).flatMap((metric) => metric.dataPoints as DataPoint<unknown>[]);
  const spans = () => exporter.getFinishedSpans();
  return {
    options: { tracerProvider, meterProvider },
    spans,
    spansNamed: (name) => spans().filter((span) => span.name === name),
    childrenOf: (parent) => spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId),
    points,
    count: async (name, labels) =>
      (await points(name))
        .filter((point) => Object.entries(labels).every(([key, value]) => point.attributes[key] === value))
        .reduce((sum, point) => sum + (typeof point.value === 'number' ? point.value : (point.value as { count: number }).count), 0),
    text: async () => JSON.stringify({ spans: spans().map((span) => [span.name, span.attributes, span.events, span.status]), metrics: await metrics() }),
  };
}
