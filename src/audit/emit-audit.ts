import type { AuditEvent, AuditSink } from './audit-event.js';

/** Hands `event` to `sink`, never letting a faulty sink break the request. */
export function emitAudit(sink: AuditSink | undefined, event: AuditEvent): void {
  if (sink === undefined) return;
  try {
    sink(event);
  } catch {
    // An audit sink must not decide the outcome of a sign-in.
  }
}
