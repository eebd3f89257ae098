import type { SessionIdentity } from './session-store.js';

/** An API token's record: everything but the secret, which is only hashed into the key. */
export interface StoredApiToken {
  /** Public id, for listing and revoking (`at_…`). */
  readonly id: string;
  readonly tenant: string;
  readonly userId: string;
  readonly identity: SessionIdentity;
  /** A label chosen by whoever created it ("CI pipeline"). */
  readonly name?: string;
  readonly createdAt: number;
  /** Milliseconds since the epoch; never when absent. */
  readonly expiresAt?: number;
}

/** Long-lived API tokens, by key (a hash of the secret). */
export interface ApiTokenStore {
  /** True when every instance of the portal sees the same records (Redis, PostgreSQL); absent: this process only. */
  readonly shared?: boolean;
  create(key: string, token: StoredApiToken): Promise<void>;
  /** The live token under `key`; undefined when absent, revoked or expired. */
  find(key: string): Promise<StoredApiToken | undefined>;
  /** Live tokens of a tenant, of one user when `userId` is given. */
  list(tenant: string, userId?: string): Promise<StoredApiToken[]>;
  /** Revokes token `id` of `tenant`; false when there was none. */
  revoke(tenant: string, id: string): Promise<boolean>;
}
