import { z } from 'zod';
import type { AuditSink } from '../audit/audit-event.js';
import { bearerOptionsSchema, type BearerOptions } from '../bearer/bearer-options.js';
import { commandDefinitionSchema, type CommandOption } from '../config/command-schema.js';
import { optionSchema } from '../config/option-schema.js';
import { functionSchema } from '../config/zod-helpers.js';
import { sessionTokenOptionsSchema, type SessionTokenOptions } from '../credentials/session-token-options.js';
import { httpOptionsSchema, type HttpOptions } from '../destination/http-options.js';
import { embeddingOptionsSchema, type EmbeddingOptions } from '../embedding/embedding-options.js';
import type { CommandExecutor, CommandName } from '../executor/command-executor.js';
import { handoffOptionsSchema, type HandoffOptions } from '../handoff/handoff-options.js';
import { logonOptionsSchema, type LogonOptions } from '../logon/logon-options.js';
import { rateLimitOptionsSchema, type RateLimitOptions } from '../rate-limit/rate-limit-options.js';
import type { PlaceholderSource } from '../request/placeholder-builder.js';
import type { RequestInfo } from '../request/request-info.js';
import { storeRoles, type StoreOption } from '../store/store-roles.js';
import { telemetryOptionsSchema, type TelemetryOptions } from '../telemetry/telemetry-options.js';
import { systemClock, type Clock } from '../time/clock.js';
import type { UserDirectoryOptions } from '../users/user-directory.js';
import { crossOptionProblems } from './cross-option-checks.js';
import { nameSchema, tenantOptionsSchema, type TenantOptions } from './tenant-options.js';

/**
 * Options of `createLoginWithToken`. Validated once, when the factory runs: a bad option throws
 * an `OptionsError` (a `TypeError`) naming its path. Each group's options and defaults are
 * documented on its own type (`HttpOptions`, `HandoffOptions`, …) and in the README.
 *
 * @example
 * ```ts
 * createLoginWithToken({
 *   commands: { LoginWithToken: { method: 'POST', url: 'https://partner.example/sso/validate',
 *     body: '{"token":"{authToken}","ip":"{ipAddress}"}' } },
 *   resolveUser: async ({ contactId, contactEmail }) => users.find(contactId, contactEmail),
 * });
 * ```
 */
export interface LoginWithTokenOptions<User> extends UserDirectoryOptions<User> {
  /**
   * Command definitions by name (`LoginWithToken`, …): an HTTP template, an in-process
   * `{ run }` function, or a function of the tenant returning either.
   * @default {} — the handoff route exists only when `LoginWithToken` is defined
   */
  commands?: Partial<Record<CommandName, CommandOption>>;
  /** Tenants by name (1–64 letters, digits, `_`, `.`, `-`), with their own settings. @default {} — one tenant, called "default" */
  tenants?: Record<string, TenantOptions>;
  /** Picks the tenant of a browser or API request. Required with more than one tenant. @default the only tenant */
  resolveTenant?: (request: RequestInfo) => string | undefined;
  /** Extra placeholders for templates, by name, computed from the request; built-in names cannot be redefined. @default {} */
  placeholders?: Record<string, PlaceholderSource>;
  /** Runs commands. @default HTTP templates over the partner pool, `{ run }` functions in process */
  executor?: CommandExecutor;
  /** How partner calls are made (see {@link HttpOptions}); the pool serves commands and JWKS documents. */
  http?: HttpOptions;
  /**
   * Where one-time tokens, sessions, API tokens and rate-limit counters live: a store
   * (`MemoryStore`, `RedisStore`, `PostgresStore`), or its roles taken from several (`{ ledger,
   * sessions, apiTokens, rateLimits, instanceLocal? }`, see `ComposedStore`).
   * @default a new MemoryStore
   */
  store?: StoreOption;
  /** The handoff (see {@link HandoffOptions}). */
  handoff?: HandoffOptions;
  /** Session tokens from `authentication/token` (see {@link SessionTokenOptions}). */
  sessionTokens?: SessionTokenOptions;
  /** Bearer authentication (see {@link BearerOptions}). */
  bearer?: BearerOptions;
  /** Brute-force limits (see {@link RateLimitOptions}). */
  rateLimits?: RateLimitOptions;
  /** The iframe handoff: who may frame the portal, and its session cookie there (see {@link EmbeddingOptions}). */
  embedding?: EmbeddingOptions;
  /** `Authentication/LogonWithToken`: token types, policies, connections (see {@link LogonOptions}). */
  logon?: LogonOptions<User>;
  /** Receives one structured, token-free event per attempt (bearer: failures only). @default none */
  audit?: AuditSink;
  /** Where OpenTelemetry spans and metrics go (see {@link TelemetryOptions}). */
  telemetry?: TelemetryOptions;
  /**
   * Key of the HMACs that stand for tokens in audit events and for usernames in rate-limit
   * counters (at least 16 characters). Give every instance the same key, so they count the same
   * names and their audit events correlate. Required with a shared store.
   * @default random per process (32 bytes)
   */
  hashKey?: string;
  /** Time source, for tests. @default Date.now */
  now?: Clock;
}

/** A top-level command: a definition, or a function of the tenant (validated per tenant later). */
const commandOptionSchema = z.custom<CommandOption>().transform((value, ctx) => {
  if (typeof value === 'function') return value;
  const result = commandDefinitionSchema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue(issue as never);
  return z.NEVER;
});

const placeholderName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a placeholder name like "customerId"');

const storeSchema = z.custom<StoreOption>(
  (value) => {
    const store = value as StoreOption | null;
    const instanceLocal = (store as { instanceLocal?: unknown } | null)?.instanceLocal;
    return (
      typeof store?.ledger?.reserve === 'function' &&
      typeof store.sessions?.use === 'function' &&
      typeof store.sessions.confirm === 'function' &&
      typeof store.sessions.exists === 'function' &&
      typeof store.apiTokens?.find === 'function' &&
      typeof store.rateLimits?.add === 'function' &&
      (instanceLocal === undefined || (Array.isArray(instanceLocal) && instanceLocal.every((role) => storeRoles.includes(role))))
    );
  },
  { message: `must be a Store (e.g. new MemoryStore()) or its roles { ${storeRoles.join(', ')}, instanceLocal? }` },
);

const executorSchema = z.custom<CommandExecutor>((value) => typeof (value as CommandExecutor | null)?.run === 'function', {
  message: 'must be an object with a run(command, placeholders, signal) method',
});

/** Validates {@link LoginWithTokenOptions}: each group with its own schema, then what only the whole can tell. */
export const loginWithTokenOptionsSchema = optionSchema<LoginWithTokenOptions<unknown>>()(
  z
    .strictObject({
      resolveUser: functionSchema<LoginWithTokenOptions<unknown>['resolveUser']>(),
      isUserDisabled: functionSchema<NonNullable<LoginWithTokenOptions<unknown>['isUserDisabled']>>().optional(),
      userIdOf: functionSchema<NonNullable<LoginWithTokenOptions<unknown>['userIdOf']>>().optional(),
      commands: z.partialRecord(nameSchema, commandOptionSchema).default({}),
      tenants: z.record(nameSchema, tenantOptionsSchema).default({}),
      resolveTenant: functionSchema<(request: RequestInfo) => string | undefined>().optional(),
      placeholders: z.record(placeholderName, functionSchema<PlaceholderSource>()).default({}),
      executor: executorSchema.optional(),
      http: httpOptionsSchema.prefault({}),
      store: storeSchema.optional(),
      handoff: handoffOptionsSchema.prefault({}),
      sessionTokens: sessionTokenOptionsSchema.prefault({}),
      bearer: bearerOptionsSchema.prefault({}),
      rateLimits: rateLimitOptionsSchema.prefault({}),
      embedding: embeddingOptionsSchema.prefault({}),
      logon: logonOptionsSchema.prefault({}),
      audit: functionSchema<AuditSink>().optional(),
      telemetry: telemetryOptionsSchema.prefault({}),
      hashKey: z.string().min(16, 'must be at least 16 characters').optional(),
      now: functionSchema<Clock>().default(() => systemClock),
    })
    .superRefine((options, ctx) => {
      for (const problem of crossOptionProblems(options)) ctx.addIssue({ code: 'custom', path: [...problem.path], message: problem.message });
    }),
);
