import { z } from 'zod';
import type { AuditSink } from './audit/audit-event.js';
import { commandDefinitionSchema, maxCommandTimeoutMs, type CompiledCommand } from './config/command-schema.js';
import { parseSigningKey } from './config/signing-key.js';
import { asymmetricAlgorithms, tokenTypeSchema } from './config/token-type-schema.js';
import { durationMs, functionSchema } from './config/zod-helpers.js';
import { validateOptions } from './config/validate-options.js';
import { OptionsError } from './errors/options-error.js';
import type { CommandExecutor } from './executor/command-executor.js';
import type { HttpExecutorOptions } from './executor/http-executor.js';
import { addressMatcher } from './destination/address-ranges.js';
import { allowedHostSchema } from './config/allowed-hosts.js';
import { commandProblems } from './config/command-checks.js';
import { jwksHostProblems } from './config/jwks-hosts.js';
import { sharedSenderKeyProblems } from './config/shared-sender-keys.js';
import { frameAncestorPattern } from './embedding/frame-ancestors.js';
import { safeReturnTo } from './handoff/safe-return-to.js';
import type { Identity } from './identity/identity.js';
import type { LoginWithTokenOptions } from './login-with-token-options.js';
import type { PlaceholderSource } from './request/placeholder-builder.js';
import type { RequestInfo } from './request/request-info.js';
import type { Clock } from './time/clock.js';
import type { Store } from './store/store.js';
import { builtInPlaceholders } from './request/placeholder-builder.js';

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, "_", "." or "-"');
// Token type names are free text (profile ids are GUIDs) but never empty or with control characters.
const tokenTypeName = z.string().regex(/^[\x21-\x7e]{1,256}$/, 'must be 1–256 visible ASCII characters');
const tokenTypes = z.record(tokenTypeName, tokenTypeSchema).default({});
const clientIds = z.array(z.string().min(1).max(256)).min(1).optional();
const frameAncestors = z.array(
  z
    .string()
    .transform((origin) => origin.toLowerCase())
    .refine((origin) => origin !== '*', 'must list origins: "*" would let any site frame the signed-in portal')
    .refine((origin) => origin === '*' || frameAncestorPattern.test(origin), "must be an origin like https://partner.example, https://*.partner.example or 'self'"),
);

const placeholderName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a placeholder name like "customerId"');

/** A top-level command: a definition, or a function of the tenant (validated per tenant later). */
const commandOptionSchema = z.unknown().transform((value, ctx) => {
  if (typeof value === 'function') return value as (tenant: string) => unknown;
  const result = commandDefinitionSchema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue(issue as never);
  return z.NEVER;
});

const optionsSchema = z
  .strictObject({
    resolveUser: functionSchema<(identity: Identity) => unknown>(),
    isUserDisabled: functionSchema<(user: never) => boolean>().optional(),
    userIdOf: functionSchema<(user: never) => string>().optional(),
    commands: z.record(name, commandOptionSchema).default({}),
    tenants: z
      .record(
        name,
        z.strictObject({
          commands: z.record(name, commandDefinitionSchema).default({}),
          tokenTypes,
          clientIds,
          requireClientId: z.boolean().optional(),
          frameAncestors: frameAncestors.optional(),
        }),
      )
      .default({}),
    resolveTenant: functionSchema<(request: RequestInfo) => string | undefined>().optional(),
    placeholders: z.record(placeholderName, functionSchema<PlaceholderSource>()).default({}),
    executor: z
      .custom<CommandExecutor>((value) => typeof (value as CommandExecutor | null)?.run === 'function', {
        message: 'must be an object with a run(command, placeholders, signal) method',
      })
      .optional(),
    http: z
      .strictObject({
        timeoutMs: durationMs(maxCommandTimeoutMs).optional(),
        maxResponseBytes: z.number().int().positive().max(16 * 1024 * 1024).optional(),
        connections: z.number().int().positive().max(10_000).optional(),
        keepAliveTimeoutMs: durationMs(600_000).optional(),
        allowPrivateAddresses: z
          .union([
            z.literal(true),
            z.array(z.string()).superRefine((ranges, ctx) => {
              try {
                addressMatcher(ranges);
              } catch (error) {
                ctx.addIssue({ code: 'custom', message: (error as Error).message });
              }
            }),
          ])
          .optional(),
        allowedHosts: z.array(allowedHostSchema).optional(),
        lookup: functionSchema<NonNullable<HttpExecutorOptions['lookup']>>().optional(),
        dispatcher: z.custom<NonNullable<HttpExecutorOptions['dispatcher']>>((value) => typeof value === 'object' && value !== null).optional(),
      })
      .default({}),
    store: z
      .custom<Store>(
        (value) =>
          typeof (value as Store | null)?.ledger?.reserve === 'function' &&
          typeof (value as Store).sessions?.use === 'function' &&
          typeof (value as Store).sessions.confirm === 'function' &&
          typeof (value as Store).sessions.exists === 'function' &&
          typeof (value as Store).apiTokens?.find === 'function' &&
          typeof (value as Store).rateLimits?.add === 'function',
        { message: 'must be a Store (e.g. new MemoryStore())' },
      )
      .optional(),
    handoff: z
      .strictObject({
        maxTokenAgeMs: durationMs(7 * 24 * 3600_000).default(600_000),
        reservationMs: durationMs(3600_000).default(60_000),
        defaultReturnTo: z
          .string()
          .refine((path) => safeReturnTo(path, '') === path, 'must be a same-origin path such as "/"')
          .default('/'),
      })
      .default({ maxTokenAgeMs: 600_000, reservationMs: 60_000, defaultReturnTo: '/' }),
    sessionTokens: z
      .strictObject({
        ttlMs: durationMs(30 * 24 * 3600_000).default(3600_000),
        maxPerUser: z.number().int().positive().max(100_000).default(100),
      })
      .default({ ttlMs: 3600_000, maxPerUser: 100 }),
    bearer: z
      .strictObject({
        realm: z.string().regex(/^[\x20-\x7e]{1,64}$/).refine((realm) => !/["\\]/.test(realm), 'must not contain quotes or backslashes').default('api'),
        allowQueryToken: z.boolean().default(false),
        cacheTtlMs: durationMs(3600_000).default(30_000),
        negativeCacheTtlMs: z.number().int().min(0).max(5_000).default(0),
        cacheMaxEntries: z.number().int().positive().max(10_000_000).default(10_000),
        forwardUnknownUuids: z.boolean().default(false),
      })
      .default({ realm: 'api', allowQueryToken: false, cacheTtlMs: 30_000, negativeCacheTtlMs: 0, cacheMaxEntries: 10_000, forwardUnknownUuids: false }),
    rateLimits: z
      .strictObject({
        windowMs: durationMs(24 * 3600_000).default(900_000),
        tokenFailuresPerIp: z.number().int().positive().default(100),
        tokenFailuresPerUsername: z.number().int().positive().default(10),
        tokenFailuresPerUsernameTotal: z.number().int().positive().default(100),
        bearerFailuresPerIp: z.number().int().positive().default(100),
        handoffFailuresPerIp: z.number().int().positive().default(100),
        authenticationCodeFailuresPerTenant: z.number().int().positive().default(1000),
        partnerCallsInFlightPerIp: z.number().int().positive().max(10_000).default(8),
      })
      .default({
        windowMs: 900_000,
        tokenFailuresPerIp: 100,
        tokenFailuresPerUsername: 10,
        tokenFailuresPerUsernameTotal: 100,
        bearerFailuresPerIp: 100,
        handoffFailuresPerIp: 100,
        authenticationCodeFailuresPerTenant: 1000,
        partnerCallsInFlightPerIp: 8,
      }),
    embedding: z
      .strictObject({
        frameAncestors: frameAncestors.default([]),
        cookie: z
          .strictObject({
            sameSite: z.enum(['none', 'lax', 'strict']).default('none'),
            secure: z.boolean().default(true),
            partitioned: z.boolean().default(true),
          })
          .refine((cookie) => cookie.sameSite !== 'none' || cookie.secure, {
            message: 'sameSite "none" needs secure: true (browsers drop such cookies otherwise)',
            path: ['secure'],
          })
          .refine((cookie) => !cookie.partitioned || cookie.secure, { message: 'partitioned cookies need secure: true', path: ['partitioned'] })
          .default({ sameSite: 'none', secure: true, partitioned: true }),
      })
      .default({ frameAncestors: [], cookie: { sameSite: 'none', secure: true, partitioned: true } }),
    logon: z
      .strictObject({
        tokenTypes,
        clientIds,
        requireClientId: z.boolean().default(false),
        allowedIps: functionSchema<(user: never, context: never) => readonly string[] | undefined>().optional(),
        licence: functionSchema<(user: never, context: never) => never>().optional(),
        twoStepVerification: functionSchema<(user: never, context: never) => never>().optional(),
        absence: functionSchema<(user: never, context: never) => never>().optional(),
        listTenantNames: z.boolean().default(true),
        maxSessionsPerUser: z.number().int().positive().max(100_000).default(100),
        onTooManySessions: z.enum(['refuse', 'end-oldest']).default('refuse'),
        connectionTimeoutSeconds: z.number().int().positive().max(86_400).default(600),
        connectionMaxAgeSeconds: z.number().int().positive().max(30 * 86_400).default(43_200),
        jwt: z
          .strictObject({
            privateKey: z.string().optional(),
            algorithm: z.enum(asymmetricAlgorithms).default('ES256'),
            issuer: z.string().min(1).default('login-with-token'),
            ttlSeconds: z.number().int().positive().max(3600).default(300),
            keyId: z.string().regex(/^[\x21-\x7e]{1,128}$/).optional(),
          })
          .superRefine((jwt, ctx) => {
            if (jwt.privateKey === undefined) return;
            try {
              parseSigningKey(jwt.privateKey, jwt.algorithm);
            } catch (error) {
              ctx.addIssue({ code: 'custom', path: ['privateKey'], message: (error as Error).message });
            }
          })
          .default({ algorithm: 'ES256', issuer: 'login-with-token', ttlSeconds: 300 }),
      })
      .superRefine((logon, ctx) => {
        if (logon.connectionMaxAgeSeconds < logon.connectionTimeoutSeconds) {
          ctx.addIssue({ code: 'custom', path: ['connectionMaxAgeSeconds'], message: 'must not be shorter than connectionTimeoutSeconds' });
        }
        if (logon.jwt.privateKey === undefined && logon.jwt.algorithm !== 'ES256') {
          ctx.addIssue({ code: 'custom', path: ['jwt', 'privateKey'], message: `is required for ${logon.jwt.algorithm}` });
        }
      })
      .default({
        tokenTypes: {},
        requireClientId: false,
        listTenantNames: true,
        maxSessionsPerUser: 100,
        onTooManySessions: 'refuse',
        connectionTimeoutSeconds: 600,
        connectionMaxAgeSeconds: 43_200,
        jwt: { algorithm: 'ES256', issuer: 'login-with-token', ttlSeconds: 300 },
      }),
    audit: functionSchema<AuditSink>().optional(),
    hashKey: z.string().min(16, 'must be at least 16 characters').optional(),
    now: functionSchema<Clock>().optional(),
  })
  .superRefine((options, ctx) => {
    const known = new Set<string>([...builtInPlaceholders, ...Object.keys(options.placeholders)]);
    for (const extra of Object.keys(options.placeholders)) {
      if ((builtInPlaceholders as readonly string[]).includes(extra)) {
        ctx.addIssue({ code: 'custom', path: ['placeholders', extra], message: 'is built in and cannot be redefined' });
      }
    }
    const check = (command: unknown, path: string[]) => {
      if (typeof command === 'function') return;
      for (const problem of commandProblems(command as CompiledCommand, known, options.http.allowedHosts)) {
        ctx.addIssue({ code: 'custom', path: [...path, ...problem.path], message: problem.message });
      }
    };
    const addAll = (problems: readonly { path: readonly (string | number)[]; message: string }[], prefix: (string | number)[] = []) => {
      for (const problem of problems) ctx.addIssue({ code: 'custom', path: [...prefix, ...problem.path], message: problem.message });
    };
    const tenantTokenTypes = Object.fromEntries(Object.entries(options.tenants).map(([tenant, settings]) => [tenant, settings.tokenTypes]));
    addAll(sharedSenderKeyProblems(options.logon.tokenTypes, tenantTokenTypes, Object.keys(options.tenants)));
    addAll(jwksHostProblems(options.logon.tokenTypes, options.http.allowedHosts), ['logon', 'tokenTypes']);
    for (const [tenant, types] of Object.entries(tenantTokenTypes)) addAll(jwksHostProblems(types, options.http.allowedHosts), ['tenants', tenant, 'tokenTypes']);
    for (const [command, definition] of Object.entries(options.commands)) check(definition, ['commands', command]);
    for (const [tenant, settings] of Object.entries(options.tenants)) {
      for (const [command, definition] of Object.entries(settings.commands)) check(definition, ['tenants', tenant, 'commands', command]);
    }
    if (options.store?.shared === true) {
      if (options.hashKey === undefined) {
        ctx.addIssue({ code: 'custom', path: ['hashKey'], message: 'is required with a shared store, so that every instance counts the same names' });
      }
      const usesLogon = Object.keys(options.logon.tokenTypes).length > 0 || Object.values(options.tenants).some((tenant) => Object.keys(tenant.tokenTypes).length > 0);
      if (usesLogon && options.logon.jwt.privateKey === undefined) {
        ctx.addIssue({ code: 'custom', path: ['logon', 'jwt', 'privateKey'], message: 'is required with a shared store, so that every instance accepts the connection JWTs' });
      }
    }
    if (Object.keys(options.tenants).length > 1 && options.resolveTenant === undefined) {
      ctx.addIssue({ code: 'custom', path: ['resolveTenant'], message: 'is required when more than one tenant is configured' });
    }
  });

/** Options after validation, with defaults filled in and templates compiled. */
export type ParsedOptions = z.output<typeof optionsSchema>;

/** Validates `options` once; throws one `TypeError` naming every bad option path. */
export function parseOptions<User>(options: LoginWithTokenOptions<User>): ParsedOptions {
  if (options === null || typeof options !== 'object') throw new OptionsError('login-with-token', [{ code: 'LWT_INVALID_OPTION', path: '', message: 'must be an object' }]);
  return validateOptions(optionsSchema, options, 'login-with-token');
}
