import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/time/clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('systemClock', () => {
  it('gives the current time in milliseconds since the epoch', () => {
    const before = Date.now();
    const now = systemClock();
    expect(Number.isInteger(now)).toBe(true);
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('reads the time on every call rather than once', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_000);
    expect(systemClock()).toBe(1_700_000_000_000);
    vi.setSystemTime(1_700_000_060_000);
    expect(systemClock()).toBe(1_700_000_060_000);
  });

});
