import type { CompiledIntrospectionCommand } from '../config/introspection-command-schema.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import { parseIdentityClaim } from '../identity/parse-identity.js';
import type { SessionIdentity } from '../store/session-store.js';
import { grantedScopes } from './scopes.js';

/** What an introspection answer says of a token, judged by the command's policy. */
export type IntrospectionVerdict =
  | { readonly active: false; readonly reason: string }
  | {
      readonly active: true;
      readonly identity: SessionIdentity;
      readonly scopes: readonly string[];
      /** `exp` in milliseconds since the epoch, when the answer gives one. */
      readonly expiresAt: number | undefined;
    };

/**
 * Judges an RFC 7662 answer: `active` must be a boolean; an active token counts only when it is
 * a plain bearer access token (no refresh, ID or sender-constrained token), its `exp` is ahead
 * and its `nbf` behind (with the command's leeway), its `iss` is the configured issuer (when
 * both name one), its `aud` names a configured audience (when the command sets any) and its
 * user claim names somebody. Scopes are returned, not judged: the caller checks them against
 * the route. An answer that is not an object, or whose `active`, `exp`, `nbf` or user claim has
 * the wrong shape, is `validator_unavailable`. The answer is read, never kept.
 */
export function judgeIntrospection(answer: unknown, command: CompiledIntrospectionCommand, now: number): IntrospectionVerdict {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw validatorUnavailable('introspection answer is not an object');
  const claims = answer as Record<string, unknown>;
  if (typeof claims['active'] !== 'boolean') throw validatorUnavailable('introspection answer has no boolean active');
  if (!claims['active']) return { active: false, reason: 'the authorization server says the token is not active' };
  const notBearer = notABearerAccessToken(claims);
  if (notBearer !== undefined) return { active: false, reason: notBearer };
  // `exp` is held strictly (a cached answer may never outlive it); `nbf` with the leeway.
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && exp <= now) return { active: false, reason: 'exp reached' };
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf - command.clockToleranceSeconds * 1000 > now) return { active: false, reason: 'nbf not reached' };
  if (command.issuer !== undefined && claims['iss'] !== undefined && claims['iss'] !== command.issuer) return { active: false, reason: 'iss is another issuer' };
  if (command.audience !== undefined && !namesAudience(claims['aud'], command.audience)) return { active: false, reason: 'aud names no accepted audience' };
  const parsed = parseIdentityClaim(claims[command.userClaim], command.userClaimIs, 'bearer');
  if (parsed.kind === 'malformed') throw validatorUnavailable(`introspection answer's ${command.userClaim} is ${parsed.reason}`);
  if (parsed.kind === 'none') return { active: false, reason: `active token without ${command.userClaim}` };
  return { active: true, identity: parsed.identity, scopes: grantedScopes(claims), expiresAt: exp };
}

/** `token_type` values (RFC 7662 §2.2, compared case-insensitively) of a plain bearer access token. */
const bearerTokenTypes = new Set(['bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token']);
/** Keycloak's `typ` of tokens that are no access token: refresh, offline and ID tokens are introspectable too. */
const nonAccessTyps = new Set(['refresh', 'offline', 'id', 'logout']);

/**
 * Why an active token is no plain bearer access token, or undefined when it is: a `token_type`
 * other than Bearer (a DPoP or other sender-constrained token), a `typ` of a refresh or ID
 * token, or a `cnf` confirmation — whose proof of possession the portal does not check, so it
 * may not be taken as a bearer token. Servers that say none of this are believed.
 */
function notABearerAccessToken(claims: Record<string, unknown>): string | undefined {
  const tokenType = claims['token_type'];
  if (tokenType !== undefined && (typeof tokenType !== 'string' || !bearerTokenTypes.has(tokenType.toLowerCase()))) return 'token_type is no bearer access token';
  const typ = claims['typ'];
  if (typeof typ === 'string' && nonAccessTyps.has(typ.toLowerCase())) return `typ ${typ.toLowerCase()} is no access token`;
  if (claims['cnf'] !== undefined) return 'cnf binds the token to a key the portal does not check';
  return undefined;
}

/** A NumericDate claim in milliseconds; one that is present but no number is a broken answer, never "no expiry". */
function numericDate(claims: Record<string, unknown>, name: 'exp' | 'nbf'): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw validatorUnavailable(`introspection answer's ${name} is no number`);
  return value * 1000;
}

function namesAudience(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  return Array.isArray(aud) && aud.some((one) => typeof one === 'string' && accepted.includes(one));
}
