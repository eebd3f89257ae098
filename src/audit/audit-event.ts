import type { ErrorCode } from '../errors/catalogue.js';
import type { FlowName } from '../telemetry/telemetry.js';

/** What was attempted (`logout` covers Logoff too): the flows spans and metrics name. */
export type AuditEventType = FlowName;

/**
 * One structured record per attempt. It never holds a token, password or pass code: tokens
 * appear only as `tokenHash`, the first 12 hex digits of a keyed hash (see the `hashKey` option).
 */
export interface AuditEvent {
  readonly type: AuditEventType;
  /** `ok`, or the error code the client received. */
  readonly outcome: 'ok' | ErrorCode;
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly tenant?: string;
  readonly ip?: string;
  /** The signed-in user's id, when one was resolved. */
  readonly userId?: string;
  /** Time the attempt took. */
  readonly latencyMs: number;
  readonly tokenHash?: string;
  /** Token-free explanation of a failure (e.g. `partner answered 500`). */
  readonly reason?: string;
}

/** Receives audit events. Exceptions it throws are swallowed; it must not block. */
export type AuditSink = (event: AuditEvent) => void;
