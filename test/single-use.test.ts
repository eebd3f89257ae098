import { describe, expect, it } from 'vitest';
import { isLoginError } from '../src/errors/login-error.js';
import { MemoryLedger } from '../src/store/memory-ledger.js';
import type { OneTimeLedger, Reservation } from '../src/store/one-time-ledger.js';
import { SingleUse, type SingleUseToken } from '../src/store/single-use.js';
import { storeKeys } from '../src/store/store-keys.js';
import { recordSecret } from './support/secrets.js';

const reservationMs = 1000;
const rememberMs = 60_000;

function setup(wrap: (ledger: MemoryLedger) => OneTimeLedger = (ledger) => ledger) {
  let now = 1_000_000;
  const ledger = new MemoryLedger({ maxLedgerEntries: 100, now: () => now });
  const singleUse = new SingleUse(wrap(ledger), { reservationMs });
  const token: SingleUseToken = { key: storeKeys.authToken(recordSecret(`handoff-token-${Math.random().toString(36).slice(2)}`)), rememberMs };
  return { ledger, singleUse, token, advance: (ms: number) => (now += ms) };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

function expectTokenInvalid(error: unknown): void {
  expect(isLoginError(error) && error.code === 'token_invalid').toBe(true);
}

/** A ledger that delegates to a real one, with some calls failing as in a store outage. */
class FailingLedger implements OneTimeLedger {
  readonly calls: string[] = [];
  constructor(
    private readonly inner: OneTimeLedger,
    private readonly failing: { reserve?: boolean; consume?: boolean; release?: boolean },
  ) {}

  reserve(key: string, holdMs: number): Promise<Reservation> {
    this.calls.push('reserve');
    return this.failing.reserve ? Promise.reject(new Error('store down: reserve')) : this.inner.reserve(key, holdMs);
  }

  consume(key: string, id: string, ms: number): Promise<boolean> {
    this.calls.push('consume');
    return this.failing.consume ? Promise.reject(new Error('store down: consume')) : this.inner.consume(key, id, ms);
  }

  release(key: string, id: string): Promise<void> {
    this.calls.push('release');
    return this.failing.release ? Promise.reject(new Error('store down: release')) : this.inner.release(key, id);
  }
}

describe('SingleUse', () => {
  describe('redeem', () => {
    it('runs the work, returns its result and marks the token used', async () => {
      const { ledger, singleUse, token } = setup();
      expect(await singleUse.redeem(token, async () => 'signed in')).toBe('signed in');
      expect(await ledger.reserve(token.key, reservationMs)).toEqual({ status: 'used' });
    });

    it('refuses a replayed token with token_invalid without running the work again', async () => {
      const { singleUse, token } = setup();
      await singleUse.redeem(token, async () => 'first');
      let ran = false;
      expectTokenInvalid(await failure(singleUse.redeem(token, async () => (ran = true))));
      expect(ran).toBe(false);
    });

    it('remembers a used token for its rememberMs, not longer', async () => {
      const { singleUse, token, advance } = setup();
      await singleUse.redeem(token, async () => undefined);
      advance(rememberMs - 1);
      expectTokenInvalid(await failure(singleUse.redeem(token, async () => undefined)));
      advance(1);
      expect(await singleUse.redeem(token, async () => 'again')).toBe('again');
    });

    it('runs the work of exactly one of 20 concurrent redemptions; the others get token_invalid', async () => {
      const { singleUse, token } = setup();
      const gate = deferred();
      let runs = 0;
      const attempts = Array.from({ length: 20 }, () =>
        singleUse.redeem(token, async () => {
          runs++;
          await gate.promise;
          return 'winner';
        }),
      );
      const losers = await Promise.all(attempts.slice(1).map(failure));
      losers.forEach(expectTokenInvalid);
      gate.resolve();
      expect(await attempts[0]).toBe('winner');
      expect(runs).toBe(1);
    });

    it('undoes the work’s steps newest first, releases the token and throws the work’s error', async () => {
      const { singleUse, token } = setup();
      const undone: string[] = [];
      const partnerDown = new Error('partner down');
      const error = await failure(
        singleUse.redeem(token, async (redemption) => {
          redemption.onFailure(async () => undone.push('session'));
          redemption.onFailure(async () => undone.push('connection'));
          throw partnerDown;
        }),
      );
      expect(error).toBe(partnerDown);
      expect(undone).toEqual(['connection', 'session']);
      expect(await singleUse.redeem(token, async () => 'retried')).toBe('retried');
    });

    it('runs every undo step even when one rejects', async () => {
      const { singleUse, token } = setup();
      const undone: string[] = [];
      const workError = new Error('work failed');
      const error = await failure(
        singleUse.redeem(token, async (redemption) => {
          redemption.onFailure(async () => undone.push('first'));
          redemption.onFailure(() => Promise.reject(new Error('undo failed')));
          throw workError;
        }),
      );
      expect(error).toBe(workError);
      expect(undone).toEqual(['first']);
    });

    it('still holds the token while undoing, so no other redemption starts before the undo ends', async () => {
      const { ledger, singleUse, token } = setup();
      let duringUndo: Reservation | undefined;
      await failure(
        singleUse.redeem(token, async (redemption) => {
          redemption.onFailure(async () => (duringUndo = await ledger.reserve(token.key, reservationMs)));
          throw new Error('work failed');
        }),
      );
      expect(duringUndo).toEqual({ status: 'in-use' });
      expect((await ledger.reserve(token.key, reservationMs)).status).toBe('reserved');
    });

    it('does not undo anything when the work succeeds', async () => {
      const { singleUse, token } = setup();
      let undone = false;
      await singleUse.redeem(token, async (redemption) => {
        redemption.onFailure(async () => (undone = true));
      });
      expect(undone).toBe(false);
    });

    it('undoes the work and throws token_invalid when its reservation lapsed and another redemption took the token', async () => {
      const { ledger, singleUse, token, advance } = setup();
      const slow = deferred();
      const undone: string[] = [];
      const first = singleUse.redeem(token, async (redemption) => {
        redemption.onFailure(async () => undone.push('slow session'));
        await slow.promise;
        return 'slow';
      });
      advance(reservationMs);
      expect(await singleUse.redeem(token, async () => 'fast')).toBe('fast');
      slow.resolve();
      expectTokenInvalid(await failure(first));
      expect(undone).toEqual(['slow session']);
      // The lapsed redemption's release must not free the token the other one spent.
      expect(await ledger.reserve(token.key, reservationMs)).toEqual({ status: 'used' });
    });

    describe('without a token', () => {
      it('reserves nothing, so the work may run again', async () => {
        const { ledger, singleUse } = setup();
        expect(await singleUse.redeem(undefined, async () => 1)).toBe(1);
        expect(await singleUse.redeem(undefined, async () => 2)).toBe(2);
        expect(ledger.size).toBe(0);
      });

      it('still undoes failed work', async () => {
        const { singleUse } = setup();
        const undone: string[] = [];
        await failure(
          singleUse.redeem(undefined, async (redemption) => {
            redemption.onFailure(async () => undone.push('session'));
            throw new Error('work failed');
          }),
        );
        expect(undone).toEqual(['session']);
      });
    });

    describe('when the ledger fails', () => {
      it('does not run the work when the reservation cannot be made', async () => {
        const { singleUse, token } = setup((ledger) => new FailingLedger(ledger, { reserve: true }));
        let ran = false;
        expect(await failure(singleUse.redeem(token, async () => (ran = true)))).toMatchObject({ message: 'store down: reserve' });
        expect(ran).toBe(false);
      });

      it('undoes the work, releases the token and throws the fault when consume rejects', async () => {
        let failing!: FailingLedger;
        const { ledger, singleUse, token } = setup((inner) => (failing = new FailingLedger(inner, { consume: true })));
        const undone: string[] = [];
        const error = await failure(
          singleUse.redeem(token, async (redemption) => {
            redemption.onFailure(async () => undone.push('session'));
            return 'signed in';
          }),
        );
        expect(error).toMatchObject({ message: 'store down: consume' });
        expect(undone).toEqual(['session']);
        expect(failing.calls).toEqual(['reserve', 'consume', 'release']);
        // The outage burned nothing: the token can be redeemed once the store is back.
        expect((await ledger.reserve(token.key, reservationMs)).status).toBe('reserved');
      });

      it('throws the work’s error, not the release fault, and leaves the reservation to lapse', async () => {
        const { ledger, singleUse, token, advance } = setup((inner) => new FailingLedger(inner, { release: true }));
        const workError = new Error('partner down');
        expect(await failure(singleUse.redeem(token, () => Promise.reject(workError)))).toBe(workError);
        expect(await ledger.reserve(token.key, reservationMs)).toEqual({ status: 'in-use' });
        advance(reservationMs);
        expect((await ledger.reserve(token.key, reservationMs)).status).toBe('reserved');
      });
    });
  });
});
