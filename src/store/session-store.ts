import type { MaybePromise } from '../async/maybe-promise.js';
import type { SessionIdentity } from '../identity/identity.js';

export type { SessionIdentity };

/** A signed-in API session: a session token (flow 2) or a LogonWithToken connection (flow 3). */
export interface StoredSession {
  readonly kind: 'session-token' | 'connection';
  readonly tenant: string;
  readonly userId: string;
  readonly identity: SessionIdentity;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  /** Absolute end, milliseconds since the epoch; no use extends it. */
  readonly expiresAt: number;
  /** Sliding idle timeout: the session ends when unused this long. None when absent. */
  readonly idleTimeoutMs?: number;
  /** A LogonWithToken connection whose second factor is not confirmed yet: not a credential until it is. */
  readonly pendingSecondFactor?: boolean;
}

/** A live session of a user, for the maximum-sessions rule. */
export interface UserSessionEntry {
  readonly key: string;
  readonly kind: StoredSession['kind'];
  readonly createdAt: number;
}

/**
 * Session tokens and connections, by key — a hash of the bearer secret, never the secret.
 */
export interface SessionStore {
  /** True when every instance of the portal sees the same records (Redis, PostgreSQL); absent: this process only. */
  readonly shared?: boolean;
  /** Saves `session` under `key`. */
  create(key: string, session: StoredSession): Promise<void>;
  /**
   * The live session under `key` in `tenant`, its idle timeout extended; undefined when absent,
   * expired or of another tenant (which leaves it untouched). May answer synchronously (the
   * memory store does): this runs on every API call.
   */
  use(key: string, tenant: string): MaybePromise<StoredSession | undefined>;
  /** Clears `pendingSecondFactor` of the live session under `key` and returns it; undefined when there is none. */
  confirm(key: string): Promise<StoredSession | undefined>;
  /** Whether a live session is stored under `key`, in any tenant (its idle timeout untouched). */
  exists(key: string): Promise<boolean>;
  /** Ends the session under `key`; returns it when it was live. */
  revoke(key: string): Promise<StoredSession | undefined>;
  /**
   * The user's live sessions in the order they were written — an order every caller sees alike,
   * so concurrent "am I over the limit?" checks agree.
   */
  listForUser(tenant: string, userId: string): Promise<UserSessionEntry[]>;
}
