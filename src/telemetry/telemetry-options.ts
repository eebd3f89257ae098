import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';

/**
 * Options `telemetry`: where spans and metrics go. Both default to OpenTelemetry's global
 * providers, which stay no-ops (and cost nothing here) unless the app registers an SDK before
 * it calls `createLoginWithToken`.
 */
export interface TelemetryOptions {
  /**
   * Receives one span per flow, with children for partner and store calls.
   * @default the global tracer provider, when an SDK registered one
   */
  tracerProvider?: TracerProvider;
  /**
   * Receives the attempt counter, the duration histograms, the cache counter and the store gauges.
   * @default the global meter provider, when an SDK registered one
   */
  meterProvider?: MeterProvider;
}

/** Validates {@link TelemetryOptions}; the global providers are looked up when the portal is built. */
export const telemetryOptionsSchema = optionSchema<TelemetryOptions>()(
  z.strictObject({
    tracerProvider: z
      .custom<TracerProvider>((value) => typeof (value as TracerProvider | null)?.getTracer === 'function', { message: 'must be an OpenTelemetry TracerProvider' })
      .optional(),
    meterProvider: z
      .custom<MeterProvider>((value) => typeof (value as MeterProvider | null)?.getMeter === 'function', { message: 'must be an OpenTelemetry MeterProvider' })
      .optional(),
  }),
);

/** {@link TelemetryOptions} after validation. */
export type ParsedTelemetryOptions = z.output<typeof telemetryOptionsSchema>;
