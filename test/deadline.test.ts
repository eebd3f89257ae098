import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { childSignal, deadline, neverAborted, requestDeadline, shareAbortListener } from '../src/time/deadline.js';

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

  it('stops its timer and stops listening to the parent on dispose', () => {
    const parent = new AbortController();
    const limit = deadline(parent.signal, 1000);
    expect(vi.getTimerCount()).toBe(1);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    limit.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    parent.abort();
    vi.advanceTimersByTime(5000);
    expect(limit.signal.aborted).toBe(false);
  });

  it('leaves no listener behind on a long-lived parent after many disposed deadlines', () => {
    const parent = new AbortController();
    for (let i = 0; i < 1000; i++) deadline(parent.signal, 1000).dispose();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
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

describe('shareAbortListener', () => {
  it('gives a parent one listener however many deadlines follow it, and aborts those still under way', () => {
    const parent = new AbortController();
    shareAbortListener(parent.signal);
    for (let i = 0; i < 1000; i++) deadline(parent.signal, 1000).dispose();
    const underWay = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? deadline : requestDeadline)(parent.signal, 1000));
    const child = childSignal(parent.signal);
    underWay[0]!.dispose();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(99);
    parent.abort('gone');
    expect(underWay.filter((limit) => limit.signal.aborted)).toHaveLength(99);
    expect(underWay[1]!.signal.reason).toBe('gone');
    expect(child.signal.reason).toBe('gone');
    expect(underWay[0]!.signal.aborted).toBe(false);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    for (const limit of underWay) limit.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts every follower even when one of them throws, and throws that error on the next tick', () => {
    const parent = new AbortController();
    shareAbortListener(parent.signal);
    const before = requestDeadline(parent.signal, 1000);
    const failing = requestDeadline(parent.signal, 1000);
    const after = deadline(parent.signal, 1000);
    const failure = new Error('listener failed');
    failing.signal.on('abort', () => {
      throw failure;
    });
    // The rethrow is held instead of thrown (the test runner would count it as an uncaught error).
    const held: unknown[][] = [];
    const realNextTick = process.nextTick.bind(process);
    const nextTick = vi.spyOn(process, 'nextTick').mockImplementation((callback, ...args: unknown[]) => {
      if (args.includes(failure)) held.push([callback, ...args]);
      else realNextTick(callback, ...args);
    });
    try {
      parent.abort('gone');
    } finally {
      nextTick.mockRestore();
    }
    expect([before.signal.aborted, failing.signal.aborted, after.signal.aborted]).toEqual([true, true, true]);
    expect(after.signal.reason).toBe('gone');
    expect(held).toHaveLength(1);
    const [tick, ...args] = held[0] as [(...args: unknown[]) => void, ...unknown[]];
    expect(() => tick(...args)).toThrow(failure);
    for (const limit of [before, failing, after]) limit.dispose();
  });

  it('is never the default: a parent the app made keeps no listener once its followers are done', () => {
    // Node.js keeps an AbortSignal.any() signal alive while it has a listener: one kept would leak it.
    const parent = AbortSignal.any([new AbortController().signal]);
    for (let i = 0; i < 10; i++) deadline(parent, 1000).dispose();
    childSignal(parent).dispose();
    expect(getEventListeners(parent, 'abort')).toHaveLength(0);
  });

  it('leaves neverAborted and an aborted parent alone', () => {
    shareAbortListener(neverAborted);
    const aborted = new AbortController();
    aborted.abort('gone');
    shareAbortListener(aborted.signal);
    expect(getEventListeners(neverAborted, 'abort')).toHaveLength(0);
    expect(getEventListeners(aborted.signal, 'abort')).toHaveLength(0);
    const limit = deadline(aborted.signal, 1000);
    expect(limit.signal.reason).toBe('gone');
    limit.dispose();
  });
});

describe('childSignal', () => {
  it('aborts with its parent, never by itself, and stops listening on dispose', () => {
    const parent = new AbortController();
    const child = childSignal(parent.signal);
    expect(child.signal).not.toBe(parent.signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    parent.abort(new Error('client gone'));
    expect(child.signal.aborted).toBe(true);
    expect(child.signal.reason).toEqual(new Error('client gone'));
    const other = new AbortController();
    childSignal(other.signal).dispose();
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
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
