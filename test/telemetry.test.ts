import { context, createNoopMeter, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { LoginError } from '../src/errors/login-error.js';
import { notePartnerRequest, notePartnerStatus, Telemetry } from '../src/telemetry/telemetry.js';
import { recordTelemetry, withoutSdk } from './support/telemetry.js';

const command = { name: 'LoginWithToken', tenant: 'acme' };
/** OpenTelemetry's global providers as they are before an SDK registers. */
const unregistered = withoutSdk();

describe('Telemetry without an SDK', () => {
  const telemetry = new Telemetry(unregistered);

  it('hands out one shared flow that records nothing', () => {
    const flow = telemetry.startFlow('bearer');
    expect(telemetry.startFlow('handoff')).toBe(flow);
    expect(flow.recorded).toBe(false);
    expect(flow.within(() => 42)).toBe(42);
    expect(telemetry.tracing).toBe(false);
  });

  it('runs partner and store calls bare: the same promise, the same synchronous value', () => {
    const answer = Promise.resolve({ ContactId: 1 });
    expect(telemetry.partnerCall(command, () => answer)).toBe(answer);
    expect(telemetry.storeCall('sessions', 'use', () => 7)).toBe(7);
    expect(telemetry.observeEntries([{ role: 'ledger', count: () => 1 }])).toBeTypeOf('function');
  });
});

describe('Telemetry with an SDK', () => {
  it('ends a flow once, however often it is told', async () => {
    const recorded = recordTelemetry();
    const flow = new Telemetry(recorded.options).startFlow('handoff');
    flow.end('ok', {});
    flow.end(new LoginError('store_unavailable'), {});
    expect(recorded.spansNamed('handoff').map((span) => span.attributes['login_with_token.outcome'])).toEqual(['ok']);
    expect(await recorded.count('login_with_token.attempts', {})).toBe(1);
  });

  it('never lets a failing SDK decide a flow or a partner call', async () => {
    const broken = () => {
      throw new Error('exporter down');
    };
    const span = { isRecording: () => true, setAttribute: broken, setAttributes: broken, setStatus: broken, end: broken, spanContext: () => INVALID_SPAN_CONTEXT };
    const telemetry = new Telemetry({ tracerProvider: { getTracer: () => ({ startSpan: () => span, startActiveSpan: broken }) as never }, meterProvider: { getMeter: () => createNoopMeter() } });
    expect(() => telemetry.startFlow('handoff').end('ok', {})).not.toThrow();
    await expect(telemetry.partnerCall(command, async () => ({ ContactId: 1 }))).resolves.toEqual({ ContactId: 1 });
  });

  it("names a custom executor's own error an outage of the partner's", async () => {
    const recorded = recordTelemetry();
    await expect(new Telemetry(recorded.options).partnerCall(command, () => Promise.reject(new TypeError('socket hang up')))).rejects.toThrow(TypeError);
    expect(recorded.spans()[0]!.attributes).toMatchObject({ 'login_with_token.outcome': 'validator_unavailable' });
  });

  it('ends a flow with its outcome, tenant and token type, and counts and times it', async () => {
    const recorded = recordTelemetry();
    const telemetry = new Telemetry(recorded.options);
    telemetry.startFlow('bearer').end('ok', { tenant: 'acme', tokenType: 'session-token' });
    telemetry.startFlow('bearer').end(new LoginError('token_invalid', { reason: 'unknown token' }), { tenant: 'acme' });

    const [ok, failed] = recorded.spansNamed('bearer');
    expect(ok!.attributes).toEqual({ 'login_with_token.flow': 'bearer', 'login_with_token.outcome': 'ok', 'login_with_token.tenant': 'acme', 'login_with_token.token_type': 'session-token' });
    expect(ok!.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'token_invalid' });
    // The reason is for the audit sink: the span carries the catalogue's code and number only.
    expect(JSON.stringify(failed!.attributes)).not.toContain('unknown token');
    expect(failed!.attributes).toMatchObject({ 'error.type': 'token_invalid', 'login_with_token.error.number': 10376 });
    expect(await recorded.count('login_with_token.attempts', { 'login_with_token.flow': 'bearer' })).toBe(2);
    expect(await recorded.count('login_with_token.flow.duration', { 'login_with_token.outcome': 'token_invalid', 'login_with_token.tenant': 'acme' })).toBe(1);
  });

  it("makes a partner call a client span below the flow's, carrying what the executor notes", async () => {
    const recorded = recordTelemetry();
    const telemetry = new Telemetry(recorded.options);
    const flow = telemetry.startFlow('handoff');
    await flow.within(() =>
      telemetry.partnerCall(command, async () => {
        notePartnerRequest('POST', 'https://partner.example');
        notePartnerStatus(200);
        return { ContactId: 1 };
      }),
    );
    flow.end('ok', {});
    const [call, parent] = recorded.spans();
    expect(call!.name).toBe('LoginWithToken');
    expect(call!.kind).toBe(SpanKind.CLIENT);
    expect(call!.parentSpanContext?.spanId).toBe(parent!.spanContext().spanId);
    expect(call!.attributes).toMatchObject({ 'http.request.method': 'POST', 'server.address': 'partner.example', 'server.port': 443, 'http.response.status_code': 200, 'login_with_token.outcome': 'ok' });
  });

  it('names a partner call rejected or failed by what it gave', async () => {
    const recorded = recordTelemetry();
    const telemetry = new Telemetry(recorded.options);
    await telemetry.partnerCall(command, async () => null);
    await telemetry.partnerCall(command, async () => ({ active: false }), (answer) => !answer.active);
    await expect(telemetry.partnerCall(command, () => Promise.reject(new LoginError('validator_unavailable')))).rejects.toThrow(LoginError);
    expect(recorded.spans().map((span) => span.attributes['login_with_token.outcome'])).toEqual(['rejected', 'rejected', 'validator_unavailable']);
    expect(recorded.spans()[2]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(await recorded.count('login_with_token.partner.duration', { 'login_with_token.command': 'LoginWithToken', 'login_with_token.tenant': 'acme' })).toBe(3);
  });

  it('leaves spans the executor did not start alone', () => {
    const recorded = recordTelemetry();
    const own = recorded.options.tracerProvider!.getTracer('app').startSpan('app');
    context.with(trace.setSpan(context.active(), own), () => notePartnerStatus(500));
    own.end();
    expect(recorded.spansNamed('app')[0]!.attributes).toEqual({});
  });

  it('traces store calls only below a recorded flow, synchronous or not, failing without the error text', async () => {
    const recorded = recordTelemetry();
    const telemetry = new Telemetry(recorded.options);
    expect(telemetry.storeCall('sessions', 'use', () => 1)).toBe(1);
    expect(recorded.spans()).toEqual([]);
    const flow = telemetry.startFlow('bearer');
    await flow.within(async () => {
      expect(telemetry.storeCall('sessions', 'use', () => 2)).toBe(2);
      await expect(telemetry.storeCall('ledger', 'reserve', () => Promise.resolve(3))).resolves.toBe(3);
      await expect(telemetry.storeCall('ledger', 'consume', () => Promise.reject(new Error('key lwt:used:abc failed')))).rejects.toThrow('abc');
      expect(() => telemetry.storeCall('rateLimits', 'add', () => {
        throw new Error('boom');
      })).toThrow('boom');
    });
    flow.end('ok', {});
    const spans = recorded.spans();
    expect(spans.map((span) => span.name)).toEqual(['sessions.use', 'ledger.reserve', 'ledger.consume', 'rateLimits.add', 'bearer']);
    expect(spans[2]!.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(spans[0]!.attributes).toEqual({ 'login_with_token.store.role': 'sessions', 'login_with_token.store.operation': 'use' });
  });

  it('counts cache lookups and reports entry counts until told to stop', async () => {
    const recorded = recordTelemetry();
    const telemetry = new Telemetry(recorded.options);
    telemetry.bearerCacheLookup(true);
    telemetry.bearerCacheLookup(false);
    telemetry.bearerCacheLookup(true);
    expect(await recorded.count('login_with_token.bearer_cache.lookups', { 'login_with_token.cache.result': 'hit' })).toBe(2);
    let used = 5;
    const stop = telemetry.observeEntries([{ role: 'ledger', count: () => used }]);
    expect((await recorded.points('login_with_token.store.entries')).map((point) => point.value)).toEqual([5]);
    used = 6;
    expect((await recorded.points('login_with_token.store.entries')).map((point) => point.value)).toEqual([6]);
    stop();
    used = 7;
    expect((await recorded.points('login_with_token.store.entries')).map((point) => point.value)).not.toContain(7);
  });
});
