import type { Dispatcher } from 'undici';
import { senderKeyTenants } from '../config/shared-sender-keys.js';
import { profileIssuers, type ParsedTokenType } from '../config/token-type-schema.js';
import { unknownTenant } from '../request/tenant-resolver.js';
import type { ApiTokenStore } from '../store/api-token-store.js';
import type { Clock } from '../time/clock.js';
import { createApiTokenVerifier } from './api-token-verifier.js';
import { createJwtProfileVerifier } from './jwt-profile-verifier.js';
import { createSignedSenderVerifier } from './signed-sender-verifier.js';
import type { TokenVerifier } from './token-verifier.js';

/** What {@link TokenTypeRegistry} builds its verifiers with. */
export interface TokenTypeDependencies {
  readonly apiTokens: ApiTokenStore;
  readonly now: Clock;
  /** The partner dispatcher (`createPartnerDispatcher`) JWKS and discovery documents are fetched through. */
  readonly dispatcher: Dispatcher;
  /** `http.allowedHosts`, which discovered key sets must be on too. */
  readonly allowedHosts?: readonly string[] | undefined;
}

/** A JWT profile's verifier and the issuers it accepts. */
export interface JwtProfileEntry {
  readonly verifier: TokenVerifier;
  readonly issuers: readonly string[];
}

/** The options a {@link TokenTypeRegistry} reads, after validation. */
export interface TokenTypeOptions {
  readonly logon: { readonly tokenTypes: Readonly<Record<string, ParsedTokenType>> };
  readonly tenants: Readonly<Record<string, { readonly tokenTypes: Readonly<Record<string, ParsedTokenType>> }>>;
}

/**
 * The token types of every tenant, keyed by the `tokenType` string: defaults for all tenants,
 * overridden per tenant. Verifiers are built once (a JWKS is fetched and cached per profile).
 * A signed-sender type whose keys serve more than one tenant requires `aud` (the options
 * check refuses `requireAudience: false` there); one serving a single tenant only with
 * `requireAudience: true`. Lookup is exact first, then case-insensitive (profile ids are GUIDs).
 * LogonWithToken and bearer authentication (`bearer.jwtProfiles`) share these verifiers, so a
 * profile's keys are fetched and cached once.
 */
export class TokenTypeRegistry {
  readonly #byTenant = new Map<string, Map<string, TokenVerifier>>();
  readonly #jwtProfiles = new Map<string, Map<string, JwtProfileEntry>>();

  /** Builds the verifiers of `logon.tokenTypes` and each tenant's `tenants.<name>.tokenTypes`, for `tenantNames`. */
  constructor(tenantNames: readonly string[], options: TokenTypeOptions, deps: TokenTypeDependencies) {
    const defaults = options.logon.tokenTypes;
    const byTenant = Object.fromEntries(Object.entries(options.tenants).map(([tenant, settings]) => [tenant, settings.tokenTypes]));
    const tenantsOf = senderKeyTenants(defaults, byTenant, tenantNames);
    const build = (tenant: string | undefined, name: string, type: ParsedTokenType): TokenVerifier =>
      type.kind === 'apitoken'
        ? createApiTokenVerifier(deps.apiTokens)
        : type.kind === 'signed-sender'
          ? createSignedSenderVerifier(type, { now: deps.now, requireAudience: type.requireAudience ?? tenantsOf(tenant, name).length > 1 })
          : createJwtProfileVerifier(name, type, deps);
    const sharedTypes = Object.entries(defaults).map(([name, type]) => [name, type, build(undefined, name, type)] as const);
    const shared = new Map(sharedTypes.map(([name, , verifier]) => [name, verifier]));
    for (const tenant of tenantNames) {
      const ownTypes = Object.entries(byTenant[tenant] ?? {}).map(([name, type]) => [name, type, build(tenant, name, type)] as const);
      this.#byTenant.set(tenant, new Map([...shared, ...ownTypes.map(([name, , verifier]) => [name, verifier] as const)]));
      const profiles = new Map<string, JwtProfileEntry>();
      for (const [name, type, verifier] of [...sharedTypes, ...ownTypes]) {
        if (type.kind === 'jwt') profiles.set(name, { verifier, issuers: profileIssuers(type) });
        else profiles.delete(name);
      }
      this.#jwtProfiles.set(tenant, profiles);
    }
    // A name nobody configured has the types every tenant shares, so it fails as they would.
    this.#byTenant.set(unknownTenant, shared);
  }

  /** The JWT profile `id` as `tenant` sees it (its own, else the shared one), or undefined when it is none. */
  jwtProfile(tenant: string, id: string): JwtProfileEntry | undefined {
    return this.#jwtProfiles.get(tenant)?.get(id);
  }

  /** The verifier of `tokenType` in `tenant`, or undefined (→ 10060). */
  resolve(tenant: string, tokenType: string): TokenVerifier | undefined {
    return this.#find(tenant, tokenType)?.[1];
  }

  /** The configured name `tokenType` matches in `tenant` (names match case-insensitively), or undefined. */
  nameOf(tenant: string, tokenType: string): string | undefined {
    return this.#find(tenant, tokenType)?.[0];
  }

  #find(tenant: string, tokenType: string): readonly [string, TokenVerifier] | undefined {
    const types = this.#byTenant.get(tenant);
    if (types === undefined) return undefined;
    const exact = types.get(tokenType);
    if (exact !== undefined) return [tokenType, exact];
    const wanted = tokenType.toLowerCase();
    for (const entry of types) if (entry[0].toLowerCase() === wanted) return entry;
    return undefined;
  }
}
