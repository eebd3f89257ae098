import {
  context,
  createContextKey,
  createNoopMeter,
  metrics,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type ObservableGauge,
  type ObservableResult,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { isPromise, type MaybePromise } from '../async/maybe-promise.js';
import { isLoginError, LoginError } from '../errors/login-error.js';
import type { ParsedTelemetryOptions } from './telemetry-options.js';

/** The instrumentation scope of every span and metric. */
export const instrumentationScope = 'login-with-token';

/** The flows, as spans are named and metrics and audit events label them. */
export type FlowName = 'handoff' | 'bearer' | 'session-token' | 'logout' | 'logon-with-token';

/** The attribute names of spans and metrics, each written once. */
export const telemetryAttributes = {
  flow: 'login_with_token.flow',
  /** `ok`, or the catalogue code the client got; on partner calls also `rejected`. */
  outcome: 'login_with_token.outcome',
  /** The catalogue's (or the vendor's) error number. */
  errorNumber: 'login_with_token.error.number',
  tenant: 'login_with_token.tenant',
  tokenType: 'login_with_token.token_type',
  command: 'login_with_token.command',
  cacheResult: 'login_with_token.cache.result',
  storeRole: 'login_with_token.store.role',
  storeOperation: 'login_with_token.store.operation',
} as const;

/** The metric names, each written once. */
export const metricNames = {
  attempts: 'login_with_token.attempts',
  flowDuration: 'login_with_token.flow.duration',
  partnerDuration: 'login_with_token.partner.duration',
  bearerCache: 'login_with_token.bearer_cache.lookups',
  storeEntries: 'login_with_token.store.entries',
} as const;

/** What a flow learned by its end, for its span and measurements. Never a token or an answer. */
export interface FlowFacts {
  readonly tenant?: string | undefined;
  readonly tokenType?: string | undefined;
}

/** One flow under way: its span (when traced) and its clock. */
export interface FlowSpan {
  /** False while nothing is recorded: a hot path may then skip waiting for the end. */
  readonly recorded: boolean;
  /** Runs `work` with this flow's span active, so partner and store calls become its children. */
  within<T>(work: () => T): T;
  /** Ends the flow with `ok` or the error the client gets; call once. */
  end(outcome: 'ok' | LoginError, facts: FlowFacts): void;
}

/** A partner command as its span names it (a `Command`, structurally). */
export interface PartnerCommand {
  readonly name: string;
  readonly tenant: string;
}

/** A store's entry count by role, for the `store.entries` gauge. */
export interface EntryCount {
  readonly role: string;
  readonly count: () => number;
}

/** The flow that records nothing: what every flow gets while no SDK is registered. */
const unrecorded: FlowSpan = { recorded: false, within: (work) => work(), end: () => undefined };

/** Where a partner call's span sits in the context, for the executor to add what only it sees. */
const partnerSpanKey = createContextKey('login-with-token partner call');

/**
 * The package's OpenTelemetry instrumentation, through `@opentelemetry/api` only: a span per flow
 * (`FlowSpan`), a child span per partner and store call, and the metrics in {@link metricNames}.
 * Providers are looked up once, when the portal is built: without a registered SDK (or the
 * `telemetry` options) every method returns at once, making no span and touching no metric.
 */
export class Telemetry {
  readonly #tracer: Tracer | undefined;
  readonly #instruments: Instruments | undefined;

  constructor(options: ParsedTelemetryOptions) {
    const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
    this.#tracer = hasDelegate(tracerProvider) ? tracerProvider.getTracer(instrumentationScope) : undefined;
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(instrumentationScope);
    this.#instruments = meter === createNoopMeter() ? undefined : createInstruments(meter);
  }

  /** True when spans are recorded somewhere: store calls are worth wrapping then. */
  get tracing(): boolean {
    return this.#tracer !== undefined;
  }

  /** Starts a flow's span and clock. */
  startFlow(flow: FlowName): FlowSpan {
    return this.#tracer === undefined && this.#instruments === undefined ? unrecorded : new RecordedFlow(flow, this.#tracer, this.#instruments);
  }

  /**
   * Runs a partner (or introspection) call as a client span, and times it by command and outcome:
   * `ok`, `rejected` when `rejected(answer)` says the partner refused the token, or the error's code.
   */
  partnerCall<T>(command: PartnerCommand, call: () => Promise<T>, rejected: (answer: T) => boolean = isNull): Promise<T> {
    if (this.#tracer === undefined && this.#instruments === undefined) return call();
    return this.#recordPartnerCall(command, call, rejected);
  }

  async #recordPartnerCall<T>(command: PartnerCommand, call: () => Promise<T>, rejected: (answer: T) => boolean): Promise<T> {
    const started = performance.now();
    const span = this.#tracer?.startSpan(command.name, { kind: SpanKind.CLIENT, attributes: { [telemetryAttributes.command]: command.name, [telemetryAttributes.tenant]: command.tenant } });
    const finish = (outcome: 'ok' | 'rejected' | LoginError) => {
      const code = typeof outcome === 'string' ? outcome : outcome.code;
      const attributes = { [telemetryAttributes.command]: command.name, [telemetryAttributes.tenant]: command.tenant, [telemetryAttributes.outcome]: code };
      unfailing(() => {
        this.#instruments?.partnerDuration.record((performance.now() - started) / 1000, attributes);
        if (span === undefined) return;
        span.setAttribute(telemetryAttributes.outcome, code);
        if (typeof outcome !== 'string') failSpan(span, outcome);
        span.end();
      });
    };
    let answer: T;
    try {
      // A span the sampler dropped has nothing to collect: the call runs in the caller's context.
      answer = span?.isRecording() === true ? await context.with(trace.setSpan(context.active(), span).setValue(partnerSpanKey, span), call) : await call();
    } catch (error) {
      // Whatever a custom executor threw, the partner could not be asked: an outage of the partner's.
      finish(isLoginError(error) ? error : new LoginError('validator_unavailable'));
      throw error;
    }
    finish(rejected(answer) ? 'rejected' : 'ok');
    return answer;
  }

  /** Runs a store call as a child span of the active flow's span; outside a traced flow it runs bare. */
  storeCall<T>(role: string, operation: string, call: () => MaybePromise<T>): MaybePromise<T> {
    if (this.#tracer === undefined) return call();
    const parent = trace.getSpan(context.active());
    if (parent === undefined || !parent.isRecording()) return call();
    const span = this.#tracer.startSpan(`${role}.${operation}`, {
      attributes: { [telemetryAttributes.storeRole]: role, [telemetryAttributes.storeOperation]: operation },
    });
    const failed = () => {
      // A store's own error text may hold keys: the span says only that the call failed.
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    let result: MaybePromise<T>;
    try {
      result = call();
    } catch (error) {
      failed();
      throw error;
    }
    if (!isPromise(result)) {
      span.end();
      return result;
    }
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failed();
        throw error;
      },
    );
  }

  /** Counts one lookup of the bearer answer cache. */
  bearerCacheLookup(hit: boolean): void {
    this.#instruments?.bearerCache.add(1, hit ? cacheHit : cacheMiss);
  }

  /** Reports `counts` through the `store.entries` gauge until the returned function is called. */
  observeEntries(counts: readonly EntryCount[]): () => void {
    const gauge = this.#instruments?.storeEntries;
    if (gauge === undefined || counts.length === 0) return () => undefined;
    const observe = (result: ObservableResult) => {
      for (const { role, count } of counts) result.observe(count(), { [telemetryAttributes.storeRole]: role });
    };
    gauge.addCallback(observe);
    return () => gauge.removeCallback(observe);
  }
}

/**
 * Adds the request line of a partner call to its span: method and server (HTTP client semantic
 * conventions). Never the path or query, which a template may fill with a token.
 */
export function notePartnerRequest(method: string, origin: string): void {
  const span = context.active().getValue(partnerSpanKey) as Span | undefined;
  if (span === undefined) return;
  const url = new URL(origin);
  span.setAttributes({
    'http.request.method': method,
    'server.address': url.hostname,
    'server.port': url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
  });
}

/** Adds the partner's HTTP status to its call's span. */
export function notePartnerStatus(statusCode: number): void {
  (context.active().getValue(partnerSpanKey) as Span | undefined)?.setAttribute('http.response.status_code', statusCode);
}

class RecordedFlow implements FlowSpan {
  readonly recorded = true;
  readonly #flow: FlowName;
  readonly #span: Span | undefined;
  readonly #instruments: Instruments | undefined;
  readonly #started = performance.now();
  #ended = false;

  constructor(flow: FlowName, tracer: Tracer | undefined, instruments: Instruments | undefined) {
    this.#flow = flow;
    this.#instruments = instruments;
    this.#span = tracer?.startSpan(flow, { attributes: { [telemetryAttributes.flow]: flow } });
  }

  within<T>(work: () => T): T {
    const span = this.#span;
    return span?.isRecording() === true ? context.with(trace.setSpan(context.active(), span), work) : work();
  }

  end(outcome: 'ok' | LoginError, facts: FlowFacts): void {
    if (this.#ended) return;
    this.#ended = true;
    unfailing(() => this.#report(outcome, facts));
  }

  #report(outcome: 'ok' | LoginError, facts: FlowFacts): void {
    const code = outcome === 'ok' ? 'ok' : outcome.code;
    const attributes: Attributes = { [telemetryAttributes.flow]: this.#flow, [telemetryAttributes.outcome]: code };
    if (facts.tenant !== undefined) attributes[telemetryAttributes.tenant] = facts.tenant;
    if (this.#instruments !== undefined) {
      this.#instruments.attempts.add(1, attributes);
      this.#instruments.flowDuration.record((performance.now() - this.#started) / 1000, attributes);
    }
    const span = this.#span;
    if (span === undefined) return;
    span.setAttributes(attributes);
    if (facts.tokenType !== undefined) span.setAttribute(telemetryAttributes.tokenType, facts.tokenType);
    if (outcome !== 'ok') failSpan(span, outcome);
    span.end();
  }
}

/** Runs a report to OpenTelemetry: a faulty SDK or exporter may never decide a sign-in. */
function unfailing(report: () => void): void {
  try {
    report();
  } catch {
    // dropped: the flow's outcome stands
  }
}

function isNull(answer: unknown): boolean {
  return answer === null;
}

/** Marks a span failed with the catalogue's code and number: no message or stack of ours. */
function failSpan(span: Span, error: LoginError): void {
  span.setAttributes({ 'error.type': error.code, [telemetryAttributes.errorNumber]: error.number });
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.code });
}

interface Instruments {
  readonly attempts: Counter;
  readonly flowDuration: Histogram;
  readonly partnerDuration: Histogram;
  readonly bearerCache: Counter;
  readonly storeEntries: ObservableGauge;
}

const cacheHit = { [telemetryAttributes.cacheResult]: 'hit' };
const cacheMiss = { [telemetryAttributes.cacheResult]: 'miss' };

// Sign-ins take milliseconds to seconds: the SDK's default buckets (0–10 000) would be for milliseconds.
const secondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function createInstruments(meter: ReturnType<typeof metrics.getMeter>): Instruments {
  const seconds = { unit: 's', advice: { explicitBucketBoundaries: secondsBuckets } };
  return {
    attempts: meter.createCounter(metricNames.attempts, { description: 'Attempts of each flow, by outcome', unit: '{attempt}' }),
    flowDuration: meter.createHistogram(metricNames.flowDuration, { description: 'How long each flow took, by outcome', ...seconds }),
    partnerDuration: meter.createHistogram(metricNames.partnerDuration, { description: 'How long partner and introspection calls took, by command and outcome', ...seconds }),
    bearerCache: meter.createCounter(metricNames.bearerCache, { description: 'Lookups of cached partner and introspection answers on API routes, by result', unit: '{lookup}' }),
    storeEntries: meter.createObservableGauge(metricNames.storeEntries, { description: 'Entries held by the in-memory store, by role', unit: '{entry}' }),
  };
}

/** False for OpenTelemetry's global provider while no SDK has registered a delegate. */
function hasDelegate(provider: TracerProvider): boolean {
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer(instrumentationScope) !== undefined;
}
