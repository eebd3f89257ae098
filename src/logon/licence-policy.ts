import type { ErrorCode } from '../errors/catalogue.js';
import { LoginError } from '../errors/login-error.js';
import type { LicenceDecision, LicenceRefusal, LogonContext } from './logon-hooks.js';

/** The licence flags of a granted logon. */
export type GrantedLicence = Extract<LicenceDecision, { allowed: true }>;

/** The catalogue entry of each reason the licence hook may give; an unknown reason is 10056. */
const refusals: Record<LicenceRefusal, ErrorCode> = {
  'no-licence': 'licence_unavailable',
  'named-licence-unavailable': 'named_licence_unavailable',
  'feature-missing': 'licence_feature_missing',
  'no-interactive-application-licence': 'interactive_logon_not_allowed',
};

/**
 * The licence policy (`logon.licence`): the hook's grant with its flags, by default a concurrent
 * licence for everybody; a refusal becomes 10056, 10057, 10100 (the missing feature named in the
 * audit reason only) or 10285.
 */
export async function checkLicence<User>(
  licence: ((user: User, context: LogonContext) => LicenceDecision | Promise<LicenceDecision>) | undefined,
  user: User,
  context: LogonContext,
): Promise<GrantedLicence> {
  const decision = (await licence?.(user, context)) ?? { allowed: true, isConcurrentLicence: true };
  if (decision.allowed) return decision;
  const code = Object.hasOwn(refusals, decision.reason) ? refusals[decision.reason] : 'licence_unavailable';
  const feature = decision.reason === 'feature-missing' && decision.featureId !== undefined ? `: feature ${String(decision.featureId)} missing` : '';
  throw new LoginError(code, { reason: `licence hook refused (${String(decision.reason)})${feature}` });
}
