import { LoginError } from '../errors/login-error.js';
import type { AbsenceDecision } from './logon-hooks.js';

/**
 * The vendor's `AbsenceInfo` in a logon result. Dates are ISO 8601 in UTC
 * (`2026-12-24T00:00:00.000Z`), `""` when not set; the deputy is a user id or `null`.
 */
export interface AbsenceInfoContract {
  AbsenceDateEnd: string;
  AbsenceDateStart: string;
  Absent: boolean;
  DeputyRepresentativeUserId: string | null;
}

/** The answer for a user without an absence, as in the seed's example. */
const notAbsent: AbsenceInfoContract = Object.freeze({ AbsenceDateEnd: '', AbsenceDateStart: '', Absent: false, DeputyRepresentativeUserId: null });

/** Turns what `logon.absence` returned (nothing: not absent) into the answer's `AbsenceInfo`. */
export function toAbsenceInfo(decision: AbsenceDecision | null | undefined, now: number): AbsenceInfoContract {
  if (decision === null || decision === undefined) return notAbsent;
  const start = timeOf(decision.start, 'start');
  const end = timeOf(decision.end, 'end');
  const bounded = start !== undefined || end !== undefined;
  return {
    AbsenceDateEnd: end === undefined ? '' : new Date(end).toISOString(),
    AbsenceDateStart: start === undefined ? '' : new Date(start).toISOString(),
    Absent: decision.absent ?? (bounded && (start ?? -Infinity) <= now && now <= (end ?? Infinity)),
    DeputyRepresentativeUserId: decision.deputyUserId === null || decision.deputyUserId === undefined || decision.deputyUserId === '' ? null : String(decision.deputyUserId),
  };
}

function timeOf(value: Date | string | number | null | undefined, field: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : Number.NaN;
  // new Date() of a finite time outside ±8.64e15 ms is invalid too.
  if (!Number.isFinite(time) || Number.isNaN(new Date(time).getTime())) throw new LoginError('store_unavailable', { reason: `logon.absence returned an invalid ${field} date` });
  return time;
}
