import { brandedInstanceOf } from './brand.js';

/**
 * What is wrong with an option: `LWT_MISSING_OPTION` (required, not given),
 * `LWT_UNKNOWN_OPTION` (no such option — usually a misspelling) or `LWT_INVALID_OPTION` (given,
 * but not acceptable). Stable: switch on it rather than on messages.
 */
export type OptionsErrorCode = 'LWT_MISSING_OPTION' | 'LWT_UNKNOWN_OPTION' | 'LWT_INVALID_OPTION';

/** One refused option. */
export interface OptionProblem {
  readonly code: OptionsErrorCode;
  /** The option's path as the README writes it, e.g. `commands.LoginWithToken.url` or `embedding.frameAncestors[0]`. */
  readonly path: string;
  /** What is wrong, for people. */
  readonly message: string;
}

// A registered symbol, so that an error thrown by one copy of the package is recognised by
// another (two versions in one dependency tree): `instanceof` checks the brand, not the class.
const brand = Symbol.for('login-with-token.OptionsError');

/**
 * Bad configuration, thrown when `createLoginWithToken` or an exported constructor runs. Still a
 * `TypeError`; `code` and `path` name the first problem, `problems` lists every one, and the
 * message names them all (`login-with-token: invalid options: http.timeoutMs: …`).
 *
 * @example
 * ```ts
 * try { createLoginWithToken(options) } catch (error) {
 *   if (error instanceof OptionsError && error.code === 'LWT_UNKNOWN_OPTION') console.error(`misspelt: ${error.path}`);
 * }
 * ```
 */
export class OptionsError extends TypeError {
  override readonly name = 'OptionsError';
  /** The first problem's code. */
  readonly code: OptionsErrorCode;
  /** The first problem's option path (`''` for the options object itself). */
  readonly path: string;
  /** Every problem found, in the order the options were read. */
  readonly problems: readonly OptionProblem[];

  /** `source` names who checked (`login-with-token`, `RedisStore`, …); `problems` must not be empty. */
  constructor(source: string, problems: readonly OptionProblem[]) {
    super(`${source}: invalid options: ${problems.map((problem) => `${problem.path || '(options)'}: ${problem.message}`).join('; ')}`);
    const [first] = problems;
    this.code = first?.code ?? 'LWT_INVALID_OPTION';
    this.path = first?.path ?? '';
    this.problems = problems;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return brandedInstanceOf(this, OptionsError, brand, value);
  }

  get [brand](): true {
    return true;
  }
}
