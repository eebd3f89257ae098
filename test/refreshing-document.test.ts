import { describe, expect, it } from 'vitest';
import { validatorUnavailable } from '../src/executor/validator-unavailable.js';
import { refreshingDocument } from '../src/oauth/refreshing-document.js';
import { rejection as failure } from './support/login-failure.js';

const settings = { cooldownMs: 1000, maxAgeMs: 60_000 };

/** A load function whose every call waits until the test settles it, and a clock the test moves. */
function harness() {
  let time = 1_700_000_000_000;
  const calls: { resolve: (value: string) => void; reject: (error: unknown) => void }[] = [];
  const load = () =>
    new Promise<string>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  const document = refreshingDocument('JWKS', load, settings, () => time);
  return {
    document,
    calls,
    /** Settles the latest call with `value`, and lets the promise chain run. */
    async answer(value: string) {
      calls.at(-1)!.resolve(value);
      await flush();
    },
    async fail(error: unknown) {
      calls.at(-1)!.reject(error);
      await flush();
    },
    advance(ms: number) {
      time += ms;
    },
    /** `current()`, asserting that it started no load (so a regression fails instead of hanging). */
    cached() {
      const before = calls.length;
      const served = document.current();
      expect(calls).toHaveLength(before);
      return served;
    },
    /** `refresh()`, asserting that it started no load. */
    refused() {
      const before = calls.length;
      const refreshed = document.refresh();
      expect(calls).toHaveLength(before);
      return refreshed;
    },
  };
}

/** Lets settled promises run their callbacks. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A harness whose first document, `v1`, is loaded. */
async function loaded() {
  const h = harness();
  const first = h.document.current();
  await h.answer('v1');
  expect(await first).toBe('v1');
  return h;
}

describe('refreshingDocument', () => {
  describe('current', () => {
    it('loads the document on first use, then serves it without loading again', async () => {
      const h = await loaded();
      h.advance(settings.maxAgeMs);
      expect(await h.cached()).toBe('v1');
      expect(h.calls).toHaveLength(1);
    });

    it('makes one load for concurrent callers, and gives each its document', async () => {
      const h = harness();
      const callers = [h.document.current(), h.document.current(), h.document.current()];
      await flush();
      expect(h.calls).toHaveLength(1);
      await h.answer('v1');
      expect(await Promise.all(callers)).toEqual(['v1', 'v1', 'v1']);
      expect(h.calls).toHaveLength(1);
    });

    it('once the document is older than maxAgeMs, serves it at once and loads again in the background', async () => {
      const h = await loaded();
      h.advance(settings.maxAgeMs + 1);
      // Nobody waits for the provider: the stale document answers while the refresh runs.
      expect(await h.document.current()).toBe('v1');
      expect(h.calls).toHaveLength(2);
      expect(await h.cached()).toBe('v1');
      expect(h.calls).toHaveLength(2);
      await h.answer('v2');
      expect(await h.cached()).toBe('v2');
      expect(h.calls).toHaveLength(2);
    });

    it('counts the age from when the load finished, not when it started', async () => {
      const h = harness();
      const first = h.document.current();
      h.advance(5000);
      await h.answer('v1');
      await first;
      h.advance(settings.maxAgeMs);
      expect(await h.cached()).toBe('v1');
      expect(h.calls).toHaveLength(1);
    });

    it('keeps serving the last good document while a refresh fails, and says it is failing', async () => {
      const h = await loaded();
      expect(h.document.failing).toBe(false);
      h.advance(settings.maxAgeMs + 1);
      expect(await h.document.current()).toBe('v1');
      await h.fail(new Error('connect ECONNREFUSED'));
      expect(h.document.failing).toBe(true);
      // The failure holds back further loads for the cool-down, and the stale document is served meanwhile.
      expect(await h.cached()).toBe('v1');
      expect(h.calls).toHaveLength(2);
      h.advance(settings.cooldownMs);
      expect(await h.document.current()).toBe('v1');
      expect(h.calls).toHaveLength(3);
      await h.answer('v2');
      expect(h.document.failing).toBe(false);
      expect(await h.cached()).toBe('v2');
    });

    it('is validator_unavailable while no load has ever succeeded, naming the fault but not its message', async () => {
      const h = harness();
      const first = failure(h.document.current());
      await h.fail(Object.assign(new TypeError('fetch failed for https://idp.example/keys?token=abc'), { code: 'ECONNREFUSED' }));
      const error = await first;
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('JWKS unavailable: TypeError ECONNREFUSED');
    });

    it("passes on the reason of the load's own validator_unavailable", async () => {
      const h = harness();
      const first = failure(h.document.current());
      await h.fail(validatorUnavailable('JWKS answered 503'));
      const error = await first;
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('JWKS unavailable: JWKS answered 503');
    });

    it('does not load again within the cool-down after a failure: every caller gets the error without a fetch', async () => {
      const h = harness();
      const first = failure(h.document.current());
      await h.fail(new Error('down'));
      await first;
      h.advance(settings.cooldownMs - 1);
      const again = await failure(h.cached());
      expect(again.reason).toBe('JWKS unavailable: Error');
      expect(h.calls).toHaveLength(1);
      h.advance(1);
      const retried = h.document.current();
      expect(h.calls).toHaveLength(2);
      await h.answer('v1');
      expect(await retried).toBe('v1');
    });

    it('shares a failing load among concurrent callers: one fetch, and each gets the error', async () => {
      const h = harness();
      const callers = [failure(h.document.current()), failure(h.document.current())];
      await h.fail(new Error('down'));
      for (const caller of callers) expect((await caller).code).toBe('validator_unavailable');
      expect(h.calls).toHaveLength(1);
    });
  });

  describe('refresh', () => {
    it('resolves false without loading within cooldownMs of the last load, true after a new document arrived', async () => {
      const h = await loaded();
      h.advance(settings.cooldownMs - 1);
      expect(await h.refused()).toBe(false);
      h.advance(1);
      const refreshed = h.document.refresh();
      expect(h.calls).toHaveLength(2);
      await h.answer('v2');
      expect(await refreshed).toBe(true);
      expect(await h.cached()).toBe('v2');
    });

    it('times the cool-down from the end of the last load, successful or not, so a slow provider is not asked back to back', async () => {
      const h = await loaded();
      h.advance(settings.cooldownMs);
      const failing = h.document.refresh();
      // The load takes longer than the cool-down.
      h.advance(settings.cooldownMs * 3);
      await h.fail(new Error('down'));
      expect(await failing).toBe(false);
      expect(await h.refused()).toBe(false);
      h.advance(settings.cooldownMs - 1);
      expect(await h.refused()).toBe(false);
      h.advance(1);
      void h.document.refresh();
      expect(h.calls).toHaveLength(3);
    });

    it('joins the load in flight instead of starting another', async () => {
      const h = harness();
      const fromCurrent = h.document.current();
      const fromRefresh = [h.document.refresh(), h.document.refresh()];
      expect(h.calls).toHaveLength(1);
      await h.answer('v1');
      expect(await Promise.all(fromRefresh)).toEqual([true, true]);
      expect(await fromCurrent).toBe('v1');
    });

    it('resolves false when the load fails, and keeps the document', async () => {
      const h = await loaded();
      h.advance(settings.cooldownMs);
      const refreshed = h.document.refresh();
      await h.fail(new Error('down'));
      expect(await refreshed).toBe(false);
      expect(await h.cached()).toBe('v1');
    });
  });
});
