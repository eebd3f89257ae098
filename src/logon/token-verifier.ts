import type { SessionIdentity } from '../store/session-store.js';

/** A token a token type accepted. */
export interface VerifiedToken {
  readonly identity: SessionIdentity & { readonly claims?: Readonly<Record<string, unknown>> };
  /** For single-use tokens: the ledger key and how long to remember it. */
  readonly oneTime?: { readonly key: string; readonly rememberMs: number };
  /** The scopes the token grants (`scope` / `scp`), for tokens that carry them. */
  readonly scopes?: readonly string[];
  /** The scopes its type requires; the caller refuses the token when `scopes` lacks one. */
  readonly requiredScopes?: readonly string[];
  /** When the token ends, milliseconds since the epoch, for tokens that say. */
  readonly expiresAt?: number;
}

/** Verifies tokens of one token type for LogonWithToken. */
export interface TokenVerifier {
  /**
   * Checks `token`; resolves with who it names.
   * @throws LoginError with the number that fits (10061–10065, 10244, 10268, 10376, 10246).
   */
  verify(token: string, tenant: string): Promise<VerifiedToken>;
  /** Settings that are safe to publish (GetTokenSettings); undefined for types without any. */
  publicSettings?(): Record<string, unknown>;
}
