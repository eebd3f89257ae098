import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { childSignal, deadline, neverAborted, requestDeadline } from '../src/time/deadline.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const reasonName = (signal: { reason: unknown }) => (signal.reason as { name?: string } | undefined)?.name;

// The same bound on an AbortSignal (for code the package does not own) and on undici's cheaper EventEmitter signal.
describe.each([
  ['deadline', deadline],
  ['requestDeadline', requestDeadline],
] as const)('%s', (_name, deadline) => {
  it('aborts with a TimeoutError once timeoutMs has passed, not before', () => {
    const limit = deadline(new AbortController().signal, 1000);
    vi.advanceTimersByTime(999);
    expect(limit.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(limit.signal.aborted).toBe(true);
    expect(reasonName(limit.signal)).toBe('TimeoutError');
    limit.dispose();
  });

  it('aborts with the parent’s reason when the parent aborts first', () => {
    const parent = new AbortController();
    const limit = deadline(parent.signal, 1000);
    const reason = new Error('client went away');
    parent.abort(reason);
    expect(limit.signal.aborted).toBe(true);
    expect(limit.signal.reason).toBe(reason);
    vi.advanceTimersByTime(1000);
    expect(limit.signal.reason).toBe(reason);
    limit.dispose();
  });

  it('starts aborted, with the parent’s reason, under a parent that already is', () => {
    const parent = new AbortController();
    parent.abort('gone');
    const limit = deadline(parent.signal, 1000);
    expect(limit.signal.aborted).toBe(true);
    expect(limit.signal.reason).toBe('gone');
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    limit.dispose();
  });

  it('stops its timer and stops following the parent on dispose', () => {
    const parent = new AbortController();
    const limit = deadline(parent.signal, 1000);
    expect(vi.getTimerCount()).toBe(1);
    limit.dispose();
    expect(vi.getTimerCount()).toBe(0);
    parent.abort();
    vi.advanceTimersByTime(5000);
    expect(limit.signal.aborted).toBe(false);
  });

  it('puts one listener on a long-lived parent however many deadlines follow it, and aborts those still under way', () => {
    const parent = new AbortController();
    for (let i = 0; i < 1000; i++) deadline(parent.signal, 1000).dispose();
    const underWay = Array.from({ length: 100 }, () => deadline(parent.signal, 1000));
    underWay[0]!.dispose();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(99);
    parent.abort('gone');
    expect(underWay.filter((limit) => limit.signal.aborted)).toHaveLength(99);
    expect(underWay[1]!.signal.reason).toBe('gone');
    expect(underWay[0]!.signal.aborted).toBe(false);
    for (const limit of underWay) limit.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('bounds work under neverAborted by the timeout alone, without listening to it', () => {
    const limit = deadline(neverAborted, 50);
    expect(getEventListeners(neverAborted, 'abort')).toHaveLength(0);
    vi.advanceTimersByTime(50);
    expect(reasonName(limit.signal)).toBe('TimeoutError');
    limit.dispose();
  });
});

describe('a parent many follow', () => {
  it('aborts every follower even when one of them throws, and throws that error on the next tick', () => {
    const parent = new AbortController();
    const before = requestDeadline(parent.signal, 1000);
    const failing = requestDeadline(parent.signal, 1000);
    const after = deadline(parent.signal, 1000);
    failing.signal.on('abort', () => {
      throw new Error('listener failed');
    });
    // Held instead of thrown: the test runner would count it as an uncaught error.
    const nextTick = vi.spyOn(process, 'nextTick').mockImplementation(() => undefined);
    let held: unknown[][];
    try {
      parent.abort('gone');
    } finally {
      held = [...nextTick.mock.calls];
      nextTick.mockRestore();
    }
    expect([before.signal.aborted, failing.signal.aborted, after.signal.aborted]).toEqual([true, true, true]);
    expect(after.signal.reason).toBe('gone');
    expect(held).toHaveLength(1);
    const [tick, ...args] = held[0] as [(...args: unknown[]) => void, ...unknown[]];
    expect(() => tick(...args)).toThrow('listener failed');
    for (const limit of [before, failing, after]) limit.dispose();
  });
});

describe('childSignal', () => {
  it('aborts with its parent, never by itself, and stops following it on dispose', () => {
    const parent = new AbortController();
    const child = childSignal(parent.signal);
    const disposed = childSignal(parent.signal);
    disposed.dispose();
    expect(child.signal).not.toBe(parent.signal);
    parent.abort(new Error('client gone'));
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toEqual(new Error('client gone'));
    expect(disposed.signal.aborted).toBe(false);
  });

  it('starts aborted under an aborted parent, and never listens to neverAborted', () => {
    const parent = new AbortController();
    parent.abort('gone');
    expect(childSignal(parent.signal).signal.reason).toBe('gone');
    const free = childSignal(neverAborted);
    expect(free.signal.aborted).toBe(false);
    expect(getEventListeners(neverAborted, 'abort')).toHaveLength(0);
    free.dispose();
  });
});

describe('requestDeadline', () => {
  it('emits abort once, which is how undici listens to an EventEmitter signal', () => {
    const limit = requestDeadline(neverAborted, 1000);
    const heard = vi.fn();
    limit.signal.once('abort', heard);
    vi.advanceTimersByTime(1000);
    limit.signal.abort(new Error('again'));
    expect(heard).toHaveBeenCalledTimes(1);
    expect(reasonName(limit.signal)).toBe('TimeoutError');
    limit.dispose();
  });
});

describe('RequestSignal', () => {
  it('tells only the listeners still registered, once, and hears no other event', () => {
    const limit = requestDeadline(neverAborted, 1000);
    const kept = vi.fn();
    const takenBack = vi.fn();
    const other = vi.fn();
    limit.signal.once('abort', kept).on('abort', takenBack).on('close', other);
    limit.signal.removeListener('abort', takenBack);
    limit.signal.abort(new Error('gone'));
    limit.signal.abort(new Error('again'));
    expect([kept.mock.calls.length, takenBack.mock.calls.length, other.mock.calls.length]).toEqual([1, 0, 0]);
    expect((limit.signal.reason as Error).message).toBe('gone');
    limit.dispose();
  });
});

describe('neverAborted', () => {
  it('is a signal that is not aborted', () => {
    expect(neverAborted).toBeInstanceOf(AbortSignal);
    expect(neverAborted.aborted).toBe(false);
  });
});
