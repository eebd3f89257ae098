import { commandProblems } from '../config/command-checks.js';
import type { CompiledCommand } from '../config/command-schema.js';
import type { ConfigProblem } from '../config/config-problem.js';
import { jwksHostProblems } from '../config/jwks-hosts.js';
import { jwtProfileReferenceProblems } from '../config/jwt-profile-references.js';
import { sharedSenderKeyProblems } from '../config/shared-sender-keys.js';
import type { ParsedTokenType } from '../config/token-type-schema.js';
import type { ParsedHttpOptions } from '../destination/http-options.js';
import type { ParsedLogonOptions } from '../logon/logon-options.js';
import { builtInPlaceholders } from '../config/built-in-placeholders.js';
import { storeSharing, type StoreOption } from '../store/store-roles.js';

/** What the checks read of options whose groups are valid on their own. */
export interface CrossCheckedOptions {
  readonly placeholders: Readonly<Record<string, unknown>>;
  readonly commands: Readonly<Partial<Record<string, CompiledCommand | ((tenant: string) => unknown)>>>;
  readonly tenants: Readonly<
    Record<
      string,
      {
        readonly commands: Readonly<Partial<Record<string, CompiledCommand>>>;
        readonly tokenTypes: Readonly<Record<string, ParsedTokenType>>;
        readonly jwtProfiles?: readonly string[] | undefined;
      }
    >
  >;
  readonly bearer: { readonly jwtProfiles: readonly string[] };
  readonly http: Pick<ParsedHttpOptions, 'allowedHosts'>;
  readonly logon: Pick<ParsedLogonOptions, 'tokenTypes' | 'jwt'>;
  readonly store?: StoreOption | undefined;
  readonly hashKey?: string | undefined;
  readonly resolveTenant?: unknown;
}

/**
 * What no single option group can tell: placeholders that redefine built-ins or are unknown to
 * a template, command and JWKS hosts off `http.allowedHosts`, introspection under another name
 * than `ValidateBearer`, `jwtProfiles` naming no JWT profile, sender keys trusted by several
 * tenants without `aud`, a store whose roles are partly per instance, the settings every
 * instance of a shared store must agree on, and
 * `resolveTenant` with several tenants. Paths are full option paths.
 */
export function crossOptionProblems(options: CrossCheckedOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (found: readonly ConfigProblem[], prefix: readonly PropertyKey[] = []) => {
    for (const problem of found) problems.push({ path: [...prefix, ...problem.path], message: problem.message });
  };
  for (const extra of Object.keys(options.placeholders)) {
    if ((builtInPlaceholders as readonly string[]).includes(extra)) add([{ path: ['placeholders', extra], message: 'is built in and cannot be redefined' }]);
  }
  const known = new Set<string>([...builtInPlaceholders, ...Object.keys(options.placeholders)]);
  const allowedHosts = options.http.allowedHosts;
  for (const [name, command] of Object.entries(options.commands)) {
    if (command !== undefined && typeof command !== 'function') add(commandProblems(name, command, known, allowedHosts), ['commands', name]);
  }
  for (const [tenant, settings] of Object.entries(options.tenants)) {
    for (const [name, command] of Object.entries(settings.commands)) {
      if (command !== undefined) add(commandProblems(name, command, known, allowedHosts), ['tenants', tenant, 'commands', name]);
    }
  }
  const tenantTokenTypes = Object.fromEntries(Object.entries(options.tenants).map(([tenant, settings]) => [tenant, settings.tokenTypes]));
  add(sharedSenderKeyProblems(options.logon.tokenTypes, tenantTokenTypes, Object.keys(options.tenants)));
  add(jwksHostProblems(options.logon.tokenTypes, allowedHosts), ['logon', 'tokenTypes']);
  for (const [tenant, types] of Object.entries(tenantTokenTypes)) add(jwksHostProblems(types, allowedHosts), ['tenants', tenant, 'tokenTypes']);
  add(jwtProfileReferenceProblems(options));
  const sharing = options.store === undefined ? undefined : storeSharing(options.store);
  if (sharing !== undefined && sharing.shared.length > 0) {
    const allowed = (options.store as { instanceLocal?: readonly string[] }).instanceLocal ?? [];
    for (const role of sharing.local) {
      if (!allowed.includes(role)) {
        add([{ path: ['store', role], message: `lives in this process only while ${sharing.shared.join(', ')} are shared: take it from a shared store, or list it in store.instanceLocal` }]);
      }
    }
    for (const role of allowed) {
      if (sharing.shared.includes(role as never)) add([{ path: ['store', 'instanceLocal'], message: `names ${role}, which is shared` }]);
    }
    if (options.hashKey === undefined) add([{ path: ['hashKey'], message: 'is required with a shared store, so that every instance counts the same names' }]);
    const usesLogon = Object.keys(options.logon.tokenTypes).length > 0 || Object.values(tenantTokenTypes).some((types) => Object.keys(types).length > 0);
    if (usesLogon && options.logon.jwt.privateKey === undefined) {
      add([{ path: ['logon', 'jwt', 'privateKey'], message: 'is required with a shared store, so that every instance accepts the connection JWTs' }]);
    }
  }
  if (Object.keys(options.tenants).length > 1 && options.resolveTenant === undefined) {
    add([{ path: ['resolveTenant'], message: 'is required when more than one tenant is configured' }]);
  }
  return problems;
}
