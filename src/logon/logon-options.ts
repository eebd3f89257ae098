import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { tokenTypeSchema, type TokenTypeDefinition } from '../config/token-type-schema.js';
import { functionSchema } from '../config/zod-helpers.js';
import { connectionJwtOptionsSchema, type ConnectionJwtOptions } from './connection-jwt-options.js';
import type { AbsenceDecision, LicenceDecision, LogonContext, TooManySessionsPolicy, TwoStepDecision } from './logon-hooks.js';

/** Options `logon`: `Authentication/LogonWithToken` (seed 002) — token types, policies, connections. */
export interface LogonOptions<User> {
  /** Token types for every tenant, keyed by the `tokenType` string. @default {} (every type → 10060) */
  tokenTypes?: Record<string, TokenTypeDefinition>;
  /**
   * Client ids allowed to log on: a `clientId` not on the list is refused (10089). A request
   * without `clientId` is accepted (the seed makes it optional) unless `requireClientId`.
   * @default any client id
   */
  clientIds?: string[];
  /**
   * Refuse LogonWithToken requests that send no `clientId` (10089). Set it with `clientIds` to
   * make the list bind every request.
   * @default false
   */
  requireClientId?: boolean;
  /** Addresses or CIDR blocks a user may log on from (10222 otherwise); undefined allows any. @default any address */
  allowedIps?: (user: User, context: LogonContext) => readonly string[] | undefined;
  /** Licence check: refuse (10056, 10057, 10100, 10285; see `LicenceRefusal`) or set the licence flags. @default a concurrent licence for everybody */
  licence?: (user: User, context: LogonContext) => LicenceDecision | Promise<LicenceDecision>;
  /** Second factor: sets `IsVerificationCodeNeeded` and `PossibleTwoWayAuthenticationType`. @default no second factor for anybody (type `None`) */
  twoStepVerification?: (user: User, context: LogonContext) => TwoStepDecision | Promise<TwoStepDecision>;
  /**
   * The user's absence for the answer's `AbsenceInfo`: start and end dates, the deputy's user
   * id. Returning nothing means not absent.
   * @default nobody is absent
   */
  absence?: (user: User, context: LogonContext) => AbsenceDecision | null | undefined | Promise<AbsenceDecision | null | undefined>;
  /**
   * Answer `Authentication/GetAllTenantNames` (the vendor's call lists every tenant to anybody).
   * `false` also makes tenant names private: an unknown `tenantName` fails like a bad token.
   * @default true
   */
  listTenantNames?: boolean;
  /**
   * Most open connections per user, at most 100000. Bounds what one user (or one stolen API
   * token) can hold in the store; see `onTooManySessions`.
   * @default 100
   */
  maxSessionsPerUser?: number;
  /** At the maximum: refuse (10055) or end the oldest connection. @default 'refuse' */
  onTooManySessions?: TooManySessionsPolicy;
  /** Sliding idle timeout of a connection (`ConnectionTimeoutSeconds`), at most 86400. @default 600 */
  connectionTimeoutSeconds?: number;
  /** Absolute limit of a connection, however active; at least `connectionTimeoutSeconds`, at most 30 days. @default 43200 (12 h) */
  connectionMaxAgeSeconds?: number;
  /** The connection JWTs (see {@link ConnectionJwtOptions}). */
  jwt?: ConnectionJwtOptions;
}

// Token type names are free text (profile ids are GUIDs) but never empty or with control characters.
const tokenTypeName = z.string().regex(/^[\x21-\x7e]{1,256}$/, 'must be 1–256 visible ASCII characters');

/** Token types by name, as `logon.tokenTypes` and `tenants.<name>.tokenTypes` take them. */
export const tokenTypesSchema = z.record(tokenTypeName, tokenTypeSchema).default({});

/** A list of LogonWithToken client ids, as `logon.clientIds` and `tenants.<name>.clientIds` take it. */
export const clientIdsSchema = z.array(z.string().min(1).max(256)).min(1);

/** The policy hooks; zod checks only that each is a function, the user type is the app's. */
type Hook<Name extends keyof LogonOptions<unknown>> = NonNullable<LogonOptions<unknown>[Name]>;

/** Validates {@link LogonOptions}; every default is written here. */
export const logonOptionsSchema = optionSchema<LogonOptions<unknown>>()(
  z
    .strictObject({
      tokenTypes: tokenTypesSchema,
      clientIds: clientIdsSchema.optional(),
      requireClientId: z.boolean().default(false),
      allowedIps: functionSchema<Hook<'allowedIps'>>().optional(),
      licence: functionSchema<Hook<'licence'>>().optional(),
      twoStepVerification: functionSchema<Hook<'twoStepVerification'>>().optional(),
      absence: functionSchema<Hook<'absence'>>().optional(),
      listTenantNames: z.boolean().default(true),
      maxSessionsPerUser: z.number().int().positive().max(100_000).default(100),
      onTooManySessions: z.enum(['refuse', 'end-oldest']).default('refuse'),
      connectionTimeoutSeconds: z.number().int().positive().max(86_400).default(600),
      connectionMaxAgeSeconds: z.number().int().positive().max(30 * 86_400).default(43_200),
      jwt: connectionJwtOptionsSchema.prefault({}),
    })
    .refine((logon) => logon.connectionMaxAgeSeconds >= logon.connectionTimeoutSeconds, {
      message: 'must not be shorter than connectionTimeoutSeconds',
      path: ['connectionMaxAgeSeconds'],
    }),
);

/** {@link LogonOptions} after validation; hooks take the app's users. */
export type ParsedLogonOptions = z.output<typeof logonOptionsSchema>;
