import type { z } from 'zod';
import { validateOptions } from '../config/validate-options.js';
import { OptionsError } from '../errors/options-error.js';
import { loginWithTokenOptionsSchema, type LoginWithTokenOptions } from './login-with-token-options.js';

/**
 * Options after validation: defaults filled in, templates compiled, keys parsed. Each group
 * keeps its name (`handoff`, `logon`, …) and each option its README name down to where it acts.
 */
export type ParsedOptions<User> = Omit<z.output<typeof loginWithTokenOptionsSchema>, 'resolveUser'> & Pick<LoginWithTokenOptions<User>, 'resolveUser'>;

/** Validates `options` once; throws one `OptionsError` naming every bad option path. */
export function parseOptions<User>(options: LoginWithTokenOptions<User>): ParsedOptions<User> {
  if (options === null || typeof options !== 'object') throw new OptionsError('login-with-token', [{ code: 'LWT_INVALID_OPTION', path: '', message: 'must be an object' }]);
  // zod checks that resolveUser is a function; that it returns the app's users is the app's word.
  return validateOptions(loginWithTokenOptionsSchema, options, 'login-with-token') as ParsedOptions<User>;
}
