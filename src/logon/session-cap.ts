import { LoginError } from '../errors/login-error.js';
import type { ParsedLogonOptions } from './logon-options.js';
import type { SessionStore } from '../store/session-store.js';

/** What the session cap reads: `logon.maxSessionsPerUser` and `logon.onTooManySessions`. */
export type SessionCapOptions = Pick<ParsedLogonOptions, 'maxSessionsPerUser' | 'onTooManySessions'>;

// The maximum-sessions rule (10055) of a user's connections is checked twice: refuseWhenFull
// before a connection is written (a cheap early answer), enforceSessionCap after, against the
// user's connections in write order — the order every concurrent logon sees alike — so parallel
// logons can never end up above the maximum.

/** The user's live connections, in write order. */
async function openConnections(sessions: SessionStore, tenant: string, userId: string) {
  return (await sessions.listForUser(tenant, userId)).filter((entry) => entry.kind === 'connection');
}

/** Fails early (10055) when the user is already at the maximum and the policy is to refuse. */
export async function refuseWhenFull(sessions: SessionStore, logon: SessionCapOptions, tenant: string, userId: string): Promise<void> {
  if (logon.onTooManySessions !== 'refuse') return;
  const open = await openConnections(sessions, tenant, userId);
  if (open.length >= logon.maxSessionsPerUser) throw new LoginError('too_many_sessions', { reason: `${open.length} connections open` });
}

/**
 * After connection `own` was written: refusing, it withdraws (10055) unless it is among the
 * first `maxSessionsPerUser`; ending the oldest, everything before the newest
 * `maxSessionsPerUser` is ended.
 */
export async function enforceSessionCap(sessions: SessionStore, logon: SessionCapOptions, tenant: string, userId: string, own: string): Promise<void> {
  const max = logon.maxSessionsPerUser;
  const open = await openConnections(sessions, tenant, userId);
  if (open.length <= max) return;
  if (logon.onTooManySessions === 'refuse') {
    if (open.findIndex((entry) => entry.key === own) >= max) throw new LoginError('too_many_sessions', { reason: `${open.length} connections open` });
    return;
  }
  for (const entry of open.slice(0, open.length - max)) if (entry.key !== own) await sessions.revoke(entry.key);
}
