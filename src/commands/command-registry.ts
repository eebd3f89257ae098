import { builtInPlaceholders } from '../config/built-in-placeholders.js';
import { commandProblems } from '../config/command-checks.js';
import { commandDefinitionSchema, type CommandOption, type CompiledCommand, type CompiledPartnerCommand } from '../config/command-schema.js';
import { formatPath } from '../config/describe-issues.js';
import { validateOptions } from '../config/validate-options.js';
import { OptionsError } from '../errors/options-error.js';
import type { Command, CommandName } from '../executor/command-executor.js';

/** The options a {@link CommandRegistry} reads, after validation. */
export interface CommandOptions {
  /** Compiled definitions for every tenant, or functions choosing one per tenant. */
  readonly commands: Readonly<Partial<Record<string, CompiledCommand | Extract<CommandOption, (tenant: string) => unknown>>>>;
  /** Per tenant, compiled definitions that win over `commands`. */
  readonly tenants: Readonly<Record<string, { readonly commands: Readonly<Partial<Record<string, CompiledCommand>>> }>>;
  /** The app's own placeholders, which templates may use besides the built-in ones. */
  readonly placeholders: Readonly<Record<string, unknown>>;
  /** `http.allowedHosts`: the hosts every HTTP command may call, when the app restricts them. */
  readonly http: { readonly allowedHosts?: readonly string[] | undefined };
}

/**
 * Finds the definition of a command for a tenant: the tenant's own (`tenants.<name>.commands`),
 * else the top-level one (`commands`). A top-level function of the tenant is validated for every
 * tenant in `tenantNames` at once, and for any other tenant the first time it is seen; a bad
 * definition throws an `OptionsError` naming it (`commands.LoginWithToken("acme").url`).
 */
export class CommandRegistry {
  readonly #options: CommandOptions;
  readonly #knownPlaceholders: ReadonlySet<string>;
  readonly #compiled = new Map<string, Command>();

  constructor(options: CommandOptions, tenantNames: readonly string[]) {
    this.#options = options;
    this.#knownPlaceholders = new Set([...builtInPlaceholders, ...Object.keys(options.placeholders)]);
    for (const tenant of tenantNames) for (const name of Object.keys(options.commands)) this.resolve(name, tenant);
  }

  /** True when `name` is defined for at least one tenant. */
  has(name: CommandName): boolean {
    return ownValue(this.#options.commands, name) !== undefined || Object.values(this.#options.tenants).some((tenant) => ownValue(tenant.commands, name) !== undefined);
  }

  /** The command `name` for `tenant`, or `undefined` when it is not configured. */
  resolve(name: CommandName, tenant: string): Command | undefined {
    const key = `${tenant}\u0000${name}`;
    const cached = this.#compiled.get(key);
    if (cached !== undefined) return cached;
    const own = ownValue(this.#options.tenants, tenant);
    const definition = (own === undefined ? undefined : ownValue(own.commands, name)) ?? this.#compileDefault(name, tenant);
    if (definition === undefined) return undefined;
    const command: Command = { name, tenant, definition };
    this.#compiled.set(key, command);
    return command;
  }

  /**
   * The command `name` for `tenant` when it is one whose answer names a contact (an HTTP
   * template or a function), else undefined. Only `ValidateBearer` may be an introspection
   * command; start-up refuses one under any other name.
   */
  resolvePartner(name: CommandName, tenant: string): Command<CompiledPartnerCommand> | undefined {
    const command = this.resolve(name, tenant);
    return command?.definition.kind === 'introspection' ? undefined : (command as Command<CompiledPartnerCommand> | undefined);
  }

  #compileDefault(name: CommandName, tenant: string): CompiledCommand | undefined {
    const source = ownValue(this.#options.commands, name);
    if (typeof source !== 'function') return source;
    const path = `commands.${name}(${JSON.stringify(tenant)})`;
    const command = validateOptions(commandDefinitionSchema, source(tenant), 'login-with-token', [path]);
    const problems = commandProblems(name, command, this.#knownPlaceholders, this.#options.http.allowedHosts);
    if (problems.length > 0) {
      throw new OptionsError(
        'login-with-token',
        problems.map((problem) => ({ code: 'LWT_INVALID_OPTION', path: formatPath([path, ...problem.path]), message: problem.message })),
      );
    }
    return command;
  }
}

/** `record[key]` when it is the record's own (never `toString` or `__proto__` from its prototype). */
function ownValue<T>(record: Readonly<Partial<Record<string, T>>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
