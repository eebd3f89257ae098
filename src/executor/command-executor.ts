import type { CompiledCommand } from '../config/command-schema.js';
import type { Placeholders } from '../template/template-parts.js';

/** The command names the package runs; apps may define more for their own executors. */
export type CommandName = 'LoginWithToken' | 'ValidateBearer' | 'VerifyCredentials' | 'VerifyAccessToken' | (string & {});

/** One command ready to run: its name, the tenant it runs for, and its compiled definition. */
export interface Command<Definition extends CompiledCommand = CompiledCommand> {
  readonly name: CommandName;
  readonly tenant: string;
  readonly definition: Definition;
}

/**
 * Runs commands. Resolve with the partner's answer (any JSON value), resolve with `null` when
 * the partner rejects the token or credentials, and throw a `LoginError` with code
 * `validator_unavailable` when no trustworthy answer could be had (timeout, 5xx, garbage):
 * callers then leave one-time tokens unused so the user can retry.
 */
export interface CommandExecutor {
  /** Runs `command` with `placeholders`; `signal` aborts when the caller gives up. */
  run(command: Command, placeholders: Placeholders, signal: AbortSignal): Promise<unknown>;
  /** Releases pooled connections and timers. */
  close?(): Promise<void>;
}
