import { LoginError } from '../errors/login-error.js';
import type { OneTimeLedger, Reservation } from './one-time-ledger.js';

/** A single-use token: its ledger key (see `storeKeys`) and how long it is remembered once used. */
export interface SingleUseToken {
  readonly key: string;
  readonly rememberMs: number;
}

/** What the work of a redemption can register while it runs. */
export interface Redemption {
  /** Takes back a step (a session started, a connection opened) should the redemption fail after it; errors of `undo` are swallowed. */
  onFailure(undo: () => Promise<unknown>): void;
}

/**
 * The one place single use happens, for handoff tokens and signed sender tokens alike:
 * reserve the token's key in the ledger (for `handoff.reservationMs`), run the work, then mark
 * the key used — or, when anything failed, undo the work's steps (newest first) and release the
 * key, so an outage never burns a token. Of concurrent redemptions of one token exactly one runs
 * its work; the others, and every later one, get `token_invalid`. If the reservation was lost
 * meanwhile (it lapsed and another request took it), the work is undone too.
 */
export class SingleUse {
  readonly #ledger: OneTimeLedger;
  readonly #reservationMs: number;

  constructor(ledger: OneTimeLedger, options: { readonly reservationMs: number }) {
    this.#ledger = ledger;
    this.#reservationMs = options.reservationMs;
  }

  /**
   * Runs `work` holding `token`. With `token` undefined (a token type that may be used again)
   * nothing is reserved, but failed work is still undone.
   * @throws LoginError `token_invalid` when the token was used or is being redeemed; whatever `work` throws.
   */
  async redeem<T>(token: SingleUseToken | undefined, work: (redemption: Redemption) => Promise<T>): Promise<T> {
    const reservation = token === undefined ? undefined : await this.#reserve(token.key);
    const undo: (() => Promise<unknown>)[] = [];
    try {
      const result = await work({ onFailure: (step) => undo.push(step) });
      if (token !== undefined && !(await this.#ledger.consume(token.key, reservation!.id, token.rememberMs))) {
        throw new LoginError('token_invalid', { reason: 'reservation expired before the token was consumed' });
      }
      return result;
    } catch (error) {
      for (const step of undo.reverse()) await step().catch(() => undefined);
      if (token !== undefined) await this.#ledger.release(token.key, reservation!.id).catch(() => undefined);
      throw error;
    }
  }

  async #reserve(key: string): Promise<Extract<Reservation, { status: 'reserved' }>> {
    const reservation = await this.#ledger.reserve(key, this.#reservationMs);
    if (reservation.status === 'reserved') return reservation;
    throw new LoginError('token_invalid', { reason: reservation.status === 'used' ? 'token already used' : 'token is being redeemed' });
  }
}
