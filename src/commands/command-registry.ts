import { commandDefinitionSchema, type CompiledCommand } from '../config/command-schema.js';
import { formatPath } from '../config/describe-issues.js';
import { validateOptions } from '../config/validate-options.js';
import { OptionsError } from '../errors/options-error.js';
import { commandProblems } from '../config/command-checks.js';
import type { Command, CommandName } from '../executor/command-executor.js';

/** Where command definitions come from: defaults for every tenant, and per-tenant overrides. */
export interface CommandSources {
  /** Compiled defaults, or functions choosing a definition per tenant. */
  readonly defaults: Readonly<Record<string, CompiledCommand | ((tenant: string) => unknown)>>;
  /** Compiled per-tenant definitions, which win over the defaults. */
  readonly byTenant: Readonly<Record<string, Readonly<Record<string, CompiledCommand>>>>;
  /** Placeholder names a template may use. */
  readonly knownPlaceholders: ReadonlySet<string>;
  /** Host names every HTTP command may call, when the app restricts them. */
  readonly allowedHosts?: readonly string[] | undefined;
}

/**
 * Finds the definition of a command for a tenant. Per-tenant functions are validated the first
 * time a tenant is seen (a bad definition throws a `TypeError` naming it) and cached.
 */
export class CommandRegistry {
  readonly #sources: CommandSources;
  readonly #compiled = new Map<string, Command>();

  constructor(sources: CommandSources) {
    this.#sources = sources;
  }

  /** True when `name` is defined for at least one tenant. */
  has(name: CommandName): boolean {
    return name in this.#sources.defaults || Object.values(this.#sources.byTenant).some((commands) => name in commands);
  }

  /** The command `name` for `tenant`, or `undefined` when it is not configured. */
  resolve(name: CommandName, tenant: string): Command | undefined {
    const key = `${tenant}\u0000${name}`;
    const cached = this.#compiled.get(key);
    if (cached !== undefined) return cached;
    const definition = this.#sources.byTenant[tenant]?.[name] ?? this.#compileDefault(name, tenant);
    if (definition === undefined) return undefined;
    const command: Command = { name, tenant, definition };
    this.#compiled.set(key, command);
    return command;
  }

  #compileDefault(name: CommandName, tenant: string): CompiledCommand | undefined {
    const source = this.#sources.defaults[name];
    if (typeof source !== 'function') return source;
    const path = `commands.${name}(${JSON.stringify(tenant)})`;
    const command = validateOptions(commandDefinitionSchema, source(tenant), 'login-with-token', [path]);
    const problems = commandProblems(command, this.#sources.knownPlaceholders, this.#sources.allowedHosts);
    if (problems.length > 0) {
      throw new OptionsError(
        'login-with-token',
        problems.map((problem) => ({ code: 'LWT_INVALID_OPTION', path: formatPath([path, ...problem.path]), message: problem.message })),
      );
    }
    return command;
  }
}
