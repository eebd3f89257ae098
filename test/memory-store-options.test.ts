import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { memoryStoreOptionsSchema } from '../src/store/memory-store-options.js';
import { systemClock } from '../src/time/clock.js';
import { expectOptionsError } from './support/options-error.js';

const validate = (input: unknown) => validateOptions(memoryStoreOptionsSchema, input, 'MemoryStore');

describe('memoryStoreOptionsSchema', () => {
  it('fills every default', () => {
    expect(validate({})).toEqual({
      maxLedgerEntries: 1_000_000,
      maxSessions: 1_000_000,
      maxRateLimitEntries: 100_000,
      sweepIntervalMs: 30_000,
      now: systemClock,
    });
  });

  it('keeps what is given', () => {
    const now = () => 42;
    expect(validate({ maxLedgerEntries: 1, maxSessions: 2, maxRateLimitEntries: 3, sweepIntervalMs: 4, now })).toEqual({
      maxLedgerEntries: 1,
      maxSessions: 2,
      maxRateLimitEntries: 3,
      sweepIntervalMs: 4,
      now,
    });
  });

  for (const option of ['maxLedgerEntries', 'maxSessions', 'maxRateLimitEntries'] as const) {
    it(`takes ${option} as a whole number from 1 to 100 000 000`, () => {
      expect(validate({ [option]: 100_000_000 })[option]).toBe(100_000_000);
      for (const bad of [0, -1, 1.5, 100_000_001, '10', Number.NaN, Infinity]) {
        expectOptionsError(() => validate({ [option]: bad }), { code: 'LWT_INVALID_OPTION', path: option });
      }
    });
  }

  it('sweeps at most every 24 hours, which setInterval can still hold', () => {
    expect(validate({ sweepIntervalMs: 86_400_000 }).sweepIntervalMs).toBe(86_400_000);
    for (const bad of [0, -1, 0.5, 86_400_001]) {
      expectOptionsError(() => validate({ sweepIntervalMs: bad }), { code: 'LWT_INVALID_OPTION', path: 'sweepIntervalMs' });
    }
  });

  it('takes now only as a function', () => {
    expectOptionsError(() => validate({ now: Date.now() }), { code: 'LWT_INVALID_OPTION', path: 'now' });
  });

  it('refuses an unknown option by name', () => {
    expectOptionsError(() => validate({ maxEntries: 10 }), { code: 'LWT_UNKNOWN_OPTION', path: 'maxEntries' });
  });
});
