import { describe, expect, it } from 'vitest';
import { brandedInstanceOf } from '../src/errors/brand.js';

const brand = Symbol.for('login-with-token.test-brand');

class Branded extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return brandedInstanceOf(this, Branded, brand, value);
  }

  get [brand](): true {
    return true;
  }
}

class Special extends Branded {}

describe('brandedInstanceOf', () => {
  it('recognises the brand on a value of another copy of the class', () => {
    // What a second copy of the package makes: another class, the same registered symbol.
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('login-with-token.test-brand'), { value: true });
    expect(foreign instanceof Branded).toBe(true);
    expect(new Branded() instanceof Branded).toBe(true);
  });

  it('is not fooled by values without the brand', () => {
    expect(new Error('x') instanceof Branded).toBe(false);
    expect({ name: 'Branded' } instanceof Branded).toBe(false);
    expect((null as unknown as object) instanceof Branded).toBe(false);
  });

  it('keeps instanceof a subclass exact', () => {
    expect(new Special() instanceof Special).toBe(true);
    expect(new Special() instanceof Branded).toBe(true);
    expect(new Branded() instanceof Special).toBe(false);
  });
});
