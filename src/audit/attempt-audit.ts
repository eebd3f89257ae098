import type { Clock } from '../time/clock.js';
import { asLoginError, type LoginError } from '../errors/login-error.js';
import type { FlowFacts, FlowSpan, Telemetry } from '../telemetry/telemetry.js';
import type { AuditEventType, AuditSink } from './audit-event.js';
import { emitAudit } from './emit-audit.js';
import type { TokenHasher } from './token-hash.js';

/** What an {@link AttemptAudit} needs from the flow. */
export interface AuditDependencies {
  readonly audit: AuditSink | undefined;
  readonly tokenHash: TokenHasher;
  readonly now: Clock;
  readonly telemetry: Telemetry;
}

/**
 * One attempt's record, filled in as the flow learns things (tenant, user, token) and reported
 * exactly once — `succeeded()` or `failed(error)` — to the audit sink and, as the flow's span and
 * measurements, to OpenTelemetry. Nothing is hashed or read unless an audit sink is configured.
 */
export class AttemptAudit {
  tenant: string | undefined;
  userId: string | undefined;
  /** The token's type, when the flow knows it (spans only). */
  tokenType: string | undefined;
  /** The presented token; only its keyed hash is reported. */
  token: string | undefined;
  readonly #deps: AuditDependencies;
  readonly #type: AuditEventType;
  readonly #request: { readonly ip: string };
  readonly #started: number;
  readonly #flow: FlowSpan;

  /**
   * `startedAt` and `flow` let a hot path create the record only when it fails.
   * @default now, and a flow started now
   */
  constructor(deps: AuditDependencies, type: AuditEventType, request: { readonly ip: string }, startedAt: number = deps.now(), flow: FlowSpan = deps.telemetry.startFlow(type)) {
    this.#deps = deps;
    this.#type = type;
    this.#request = request;
    this.#started = startedAt;
    this.#flow = flow;
  }

  /** Runs the attempt's work with its span active, so its partner and store calls nest below it. */
  within<T>(work: () => T): T {
    return this.#flow.within(work);
  }

  /** Reports success; `reason` may add a token-free remark. */
  succeeded(reason?: string): void {
    if (this.#flow.recorded) this.#flow.end('ok', this.#facts());
    this.#emit('ok', reason);
  }

  /** Reports the failure and returns it as the `LoginError` the client gets. */
  failed(error: unknown): LoginError {
    const failure = asLoginError(error);
    if (this.#flow.recorded) this.#flow.end(failure, this.#facts());
    this.#emit(failure.code, failure.reason);
    return failure;
  }

  /** What the span and metrics may know: never the token. */
  #facts(): FlowFacts {
    return { tenant: this.tenant, tokenType: this.tokenType };
  }

  #emit(outcome: 'ok' | LoginError['code'], reason: string | undefined): void {
    if (this.#deps.audit === undefined) return;
    emitAudit(this.#deps.audit, {
      type: this.#type,
      outcome,
      at: this.#started,
      latencyMs: this.#deps.now() - this.#started,
      ip: this.#request.ip,
      ...(this.tenant === undefined ? {} : { tenant: this.tenant }),
      ...(this.userId === undefined ? {} : { userId: this.userId }),
      ...(this.token === undefined ? {} : { tokenHash: this.#deps.tokenHash(this.token) }),
      ...(reason === undefined ? {} : { reason }),
    });
  }
}
