import type { ConfigProblem } from './config-problem.js';
import { profileIssuers, type ParsedTokenType } from './token-type-schema.js';

/** What {@link jwtProfileReferenceProblems} reads: the lists of profile ids and the token types they name. */
export interface JwtProfileReferences {
  readonly bearer: { readonly jwtProfiles: readonly string[] };
  readonly logon: { readonly tokenTypes: Readonly<Record<string, ParsedTokenType>> };
  readonly tenants: Readonly<Record<string, { readonly tokenTypes: Readonly<Record<string, ParsedTokenType>>; readonly jwtProfiles?: readonly string[] | undefined }>>;
}

/**
 * Profile ids in `bearer.jwtProfiles` or `tenants.<name>.jwtProfiles` that name no JWT profile
 * where they apply — the tenant's own token type of that name, else `logon.tokenTypes` — and
 * profiles of one list that share an issuer: API routes pick a token's profile by its `iss`,
 * so the second would never be tried (list both audiences on one profile instead). The
 * top-level list applies to every tenant without its own list (or, with no tenants, to
 * `logon.tokenTypes`).
 */
export function jwtProfileReferenceProblems(options: JwtProfileReferences): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const profileOf = (id: string, own: Readonly<Record<string, ParsedTokenType>>) => {
    const type = (Object.hasOwn(own, id) ? own[id] : undefined) ?? (Object.hasOwn(options.logon.tokenTypes, id) ? options.logon.tokenTypes[id] : undefined);
    return type?.kind === 'jwt' ? type : undefined;
  };
  const check = (ids: readonly string[], own: Readonly<Record<string, ParsedTokenType>>, path: readonly PropertyKey[], where: string) => {
    const profileByIssuer = new Map<string, string>();
    ids.forEach((id, index) => {
      const profile = profileOf(id, own);
      if (profile === undefined) {
        problems.push({ path: [...path, index], message: `names no JWT profile (kind 'jwt') of ${where}` });
        return;
      }
      for (const issuer of profileIssuers(profile)) {
        const earlier = profileByIssuer.get(issuer);
        if (earlier !== undefined) problems.push({ path: [...path, index], message: `shares issuer ${issuer} with ${earlier} (${where}): a token's issuer picks one profile, so list both audiences on one` });
        else profileByIssuer.set(issuer, id);
      }
    });
  };
  const tenants = Object.entries(options.tenants);
  const inheriting = tenants.filter(([, settings]) => settings.jwtProfiles === undefined);
  if (tenants.length === 0) check(options.bearer.jwtProfiles, {}, ['bearer', 'jwtProfiles'], 'logon.tokenTypes');
  for (const [tenant, settings] of inheriting) check(options.bearer.jwtProfiles, settings.tokenTypes, ['bearer', 'jwtProfiles'], `tenant ${tenant}`);
  for (const [tenant, settings] of tenants) {
    if (settings.jwtProfiles !== undefined) check(settings.jwtProfiles, settings.tokenTypes, ['tenants', tenant, 'jwtProfiles'], `tenant ${tenant}`);
  }
  return problems;
}
