import { createHash, type KeyObject } from 'node:crypto';
import type { ConfigProblem } from './config-problem.js';
import type { ParsedTokenType } from './token-type-schema.js';

type TokenTypes = Readonly<Record<string, ParsedTokenType>>;

/**
 * The tenants each signed-sender type's keys serve: for a type of `logon.tokenTypes` (`tenant`
 * undefined) or of one tenant, every tenant at which one of its keys verifies a signed-sender
 * token — through this type or any other. Two or more means a token signed for one tenant would
 * also verify at another, so it must name its tenant in `aud`. Keys are compared by key material
 * (the SHA-256 of the SPKI DER), so a certificate, a PEM key and a JWK of one key count as one.
 * An empty `tenantNames` is the single implicit tenant.
 */
export function senderKeyTenants(
  defaults: TokenTypes,
  byTenant: Readonly<Record<string, TokenTypes>>,
  tenantNames: readonly string[],
): (tenant: string | undefined, tokenType: string) => readonly string[] {
  const tenantsByKey = new Map<string, Set<string>>();
  for (const tenant of tenantNames) {
    // The types the tenant really serves: its own override a default of the same name.
    for (const type of Object.values({ ...defaults, ...byTenant[tenant] })) {
      if (type.kind !== 'signed-sender') continue;
      for (const entry of type.keys) {
        const fingerprint = keyFingerprint(entry.key);
        const tenants = tenantsByKey.get(fingerprint) ?? new Set<string>();
        tenants.add(tenant);
        tenantsByKey.set(fingerprint, tenants);
      }
    }
  }
  return (tenant, tokenType) => {
    const type = tenant === undefined ? defaults[tokenType] : byTenant[tenant]?.[tokenType];
    if (type?.kind !== 'signed-sender') return [];
    const served = new Set<string>();
    for (const entry of type.keys) for (const name of tenantsByKey.get(keyFingerprint(entry.key)) ?? []) served.add(name);
    return [...served];
  };
}

/**
 * Signed-sender types set to `requireAudience: false` whose keys serve more than one tenant
 * (see {@link senderKeyTenants}). Paths are full option paths: `logon.tokenTypes.<name>` for
 * `defaults`, `tenants.<tenant>.tokenTypes.<name>` for `byTenant`.
 */
export function sharedSenderKeyProblems(
  defaults: TokenTypes,
  byTenant: Readonly<Record<string, TokenTypes>>,
  tenantNames: readonly string[],
): ConfigProblem[] {
  const tenantsOf = senderKeyTenants(defaults, byTenant, tenantNames);
  const problems: ConfigProblem[] = [];
  const check = (tenant: string | undefined, types: TokenTypes, path: (string | number)[]) => {
    for (const [name, type] of Object.entries(types)) {
      if (type.kind !== 'signed-sender' || type.requireAudience !== false) continue;
      const served = tenantsOf(tenant, name);
      if (served.length < 2) continue;
      problems.push({
        path: [...path, name, 'requireAudience'],
        message: `cannot be false: its keys verify tokens for tenants ${served.join(', ')}, so a token must name its tenant in aud`,
      });
    }
  };
  check(undefined, defaults, ['logon', 'tokenTypes']);
  for (const [tenant, types] of Object.entries(byTenant)) check(tenant, types, ['tenants', tenant, 'tokenTypes']);
  return problems;
}

function keyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(key.export({ format: 'der', type: 'spki' })).digest('base64url');
}
