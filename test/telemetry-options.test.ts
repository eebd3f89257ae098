import { createNoopMeter, ProxyTracerProvider } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/options/parse-options.js';
import { telemetryOptionsSchema } from '../src/telemetry/telemetry-options.js';
import { expectOptionsError } from './support/options-error.js';

const withTelemetry = (telemetry: unknown) => () => parseOptions({ resolveUser: () => null, telemetry } as never);

describe('telemetryOptionsSchema', () => {
  it('leaves both providers to the global ones by default', () => {
    expect(telemetryOptionsSchema.parse({})).toEqual({});
    expect(parseOptions({ resolveUser: () => null }).telemetry).toEqual({});
  });

  it('takes providers as given', () => {
    const tracerProvider = new ProxyTracerProvider();
    const meterProvider = { getMeter: () => createNoopMeter() };
    expect(telemetryOptionsSchema.parse({ tracerProvider, meterProvider })).toEqual({ tracerProvider, meterProvider });
  });

  it.each([
    ['tracerProvider', {}],
    ['tracerProvider', 'global'],
    ['meterProvider', { getTracer: () => undefined }],
  ])('refuses %s = %j, naming the option', (option, value) => {
    expectOptionsError(withTelemetry({ [option]: value }), { code: 'LWT_INVALID_OPTION', path: `telemetry.${option}` });
  });

  it('refuses an unknown telemetry option', () => {
    expect(withTelemetry({ exporter: {} })).toThrow(/telemetry/);
  });
});
