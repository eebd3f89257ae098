import { describe, expect, it } from 'vitest';
import { andThen, isPromise, type MaybePromise } from '../src/async/maybe-promise.js';

describe('isPromise', () => {
  it('is true for promises and other thenables', () => {
    const settled = Promise.resolve(1);
    expect(isPromise(settled)).toBe(true);
    expect(isPromise({ then: () => undefined })).toBe(true);
    const rejected = Promise.reject(new Error('store down'));
    rejected.catch(() => undefined);
    expect(isPromise(rejected)).toBe(true);
  });

  it('is false for plain values, falsy ones and objects whose then is not a function', () => {
    for (const value of [0, '', false, null, undefined, { id: 'u-1' }, { then: 'later' }, [1]]) expect(isPromise<unknown>(value)).toBe(false);
  });
});

describe('andThen', () => {
  it('runs next at once on a plain value and returns its result without a promise', () => {
    const steps: string[] = [];
    const result = andThen(2, (value) => {
      steps.push('next');
      return value * 3;
    });
    steps.push('after');
    expect(result).toBe(6);
    expect(steps).toEqual(['next', 'after']);
  });

  it('waits for a promise and returns a promise of the result', async () => {
    const steps: string[] = [];
    const result = andThen(Promise.resolve(2), (value) => {
      steps.push('next');
      return value * 3;
    });
    steps.push('after');
    expect(isPromise(result)).toBe(true);
    expect(await result).toBe(6);
    expect(steps).toEqual(['after', 'next']);
  });

  it('passes on a promise that next returns for a plain value', async () => {
    const result = andThen('u-1', async (id) => ({ id }));
    expect(await result).toEqual({ id: 'u-1' });
  });

  it('skips next when the promise rejects, and hands on the rejection', async () => {
    let ran = false;
    const outage = new Error('store unavailable');
    const result = andThen<number, number>(Promise.reject(outage), (value) => {
      ran = true;
      return value;
    });
    await expect(result).rejects.toBe(outage);
    expect(ran).toBe(false);
  });

  it('throws synchronously when next throws on a plain value', () => {
    const failure = new Error('resolveUser failed');
    expect(() =>
      andThen(1, () => {
        throw failure;
      }),
    ).toThrow(failure);
  });

  it('chains without a promise as long as every step is synchronous', () => {
    const lookup = (id: string): MaybePromise<{ id: string } | null> => (id === 'u-1' ? { id } : null);
    const result = andThen(andThen('u-1', lookup), (user) => user?.id ?? 'none');
    expect(result).toBe('u-1');
  });
});
