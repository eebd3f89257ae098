/** A safe, short rendering of a token's `alg` header for audit reasons (it is attacker-chosen). */
export function describeAlgorithm(algorithm: unknown): string {
  return typeof algorithm === 'string' ? algorithm.replace(/[^A-Za-z0-9]/g, '').slice(0, 20) || '(empty)' : `(${typeof algorithm})`;
}
