/** Outcome of {@link OneTimeLedger.reserve}. */
export type Reservation =
  | { readonly status: 'reserved'; readonly id: string }
  /** Another request is redeeming the same token right now. */
  | { readonly status: 'in-use' }
  /** The token was redeemed before. */
  | { readonly status: 'used' };

/**
 * Remembers which one-time tokens were redeemed, by key (a hash, never the token). Redemption is
 * reserve → validate → consume, or release on failure, so that of many concurrent requests with
 * one token exactly one succeeds and a token is never burned by a transient fault.
 */
export interface OneTimeLedger {
  /** True when every instance of the portal sees the same records (Redis, PostgreSQL); absent: this process only. */
  readonly shared?: boolean;
  /** Atomically claims `key` for `holdMs` unless it is reserved or used. */
  reserve(key: string, holdMs: number): Promise<Reservation>;
  /**
   * Marks `key` used for `rememberMs`, unless another request holds it or has used it: a
   * reservation `id` that lapsed while nobody else took the token still spends it (a slow partner
   * answered; the token must not be lost).
   * @returns false when the reservation was lost (it lapsed and another request took the token).
   */
  consume(key: string, id: string, rememberMs: number): Promise<boolean>;
  /** Drops reservation `id` so the token can be redeemed again. A no-op if `id` no longer holds it. */
  release(key: string, id: string): Promise<void>;
}
