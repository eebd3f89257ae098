import { isPromise } from '../async/maybe-promise.js';
import type { AuditEvent, AuditSink } from './audit-event.js';

/**
 * Hands `event` to `sink`, never letting a faulty sink break the request: what it throws is
 * swallowed, and so is the rejection of an `async` sink, which would otherwise be an unhandled
 * rejection that ends the process.
 */
export function emitAudit(sink: AuditSink | undefined, event: AuditEvent): void {
  if (sink === undefined) return;
  try {
    const result: unknown = sink(event);
    if (isPromise(result)) result.catch(ignore);
  } catch {
    // An audit sink must not decide the outcome of a sign-in.
  }
}

function ignore(): void {}
