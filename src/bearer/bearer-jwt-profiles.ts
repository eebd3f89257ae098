import { readUnverifiedJwt } from '../crypto/unverified-jwt.js';
import type { JwtProfileEntry, TokenTypeRegistry } from '../logon/token-type-registry.js';

/** The options {@link BearerJwtProfiles} reads, after validation. */
export interface BearerJwtProfileOptions {
  readonly bearer: { readonly jwtProfiles: readonly string[] };
  readonly tenants: Readonly<Record<string, { readonly jwtProfiles?: readonly string[] | undefined }>>;
}

/** A JWT profile accepted on API routes: its id (the token type it reports) and verifier. */
export interface BearerJwtProfile extends JwtProfileEntry {
  readonly id: string;
}

/**
 * The JWT profiles whose access tokens API routes verify locally (`bearer.jwtProfiles`, or a
 * tenant's own `jwtProfiles`): an identity provider's JWT is checked with the profile's keys
 * and rules — no round trip — instead of going to `ValidateBearer`. A token is matched to a
 * profile by its (unverified) `iss`; the profile's verifier then checks everything, issuer
 * included. Start-up has checked that every id names a JWT profile of its tenant.
 */
export class BearerJwtProfiles {
  readonly #byTenant = new Map<string, readonly BearerJwtProfile[]>();

  constructor(tenantNames: readonly string[], options: BearerJwtProfileOptions, tokenTypes: TokenTypeRegistry) {
    for (const tenant of tenantNames) {
      const ids = (Object.hasOwn(options.tenants, tenant) ? options.tenants[tenant]!.jwtProfiles : undefined) ?? options.bearer.jwtProfiles;
      const profiles = ids.flatMap((id) => {
        const entry = tokenTypes.jwtProfile(tenant, id);
        return entry === undefined ? [] : [{ id, ...entry }];
      });
      if (profiles.length > 0) this.#byTenant.set(tenant, profiles);
    }
  }

  /** The profile of `tenant` whose issuer `token` names, or undefined when it is no JWT of one. */
  match(tenant: string, token: string): BearerJwtProfile | undefined {
    const profiles = this.#byTenant.get(tenant);
    if (profiles === undefined) return undefined;
    const issuer = readUnverifiedJwt(token)?.claims?.['iss'];
    return typeof issuer === 'string' ? profiles.find((profile) => profile.issuers.includes(issuer)) : undefined;
  }
}
