/**
 * What `instanceof` answers for an error class that carries a registered-symbol `brand`: for the
 * class itself, whether `value` carries the brand — so an error thrown by another copy of the
 * package (two versions in one app) is recognised; for a subclass (`this` is not `base`), the
 * usual prototype check, so `instanceof Subclass` stays exact.
 */
export function brandedInstanceOf(self: abstract new (...args: never[]) => unknown, base: abstract new (...args: never[]) => unknown, brand: symbol, value: unknown): boolean {
  if (self !== base) return Function.prototype[Symbol.hasInstance].call(self, value);
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
