import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { durationMs } from '../config/zod-helpers.js';

/** Options `bearer`: bearer authentication on API routes (RFC 6750). */
export interface BearerOptions {
  /** `realm` of the `WWW-Authenticate` challenge: 1–64 visible ASCII characters, no quotes or backslashes. @default 'api' */
  realm?: string;
  /** Accept `?access_token=` in the query (it leaks into logs and history; avoid). @default false */
  allowQueryToken?: boolean;
  /** How long a partner's positive `ValidateBearer` answer is reused (never past its `exp`); at most 1 hour. @default 30000 */
  cacheTtlMs?: number;
  /** How long a rejection is reused, at most 5000. @default 0 (not cached) */
  negativeCacheTtlMs?: number;
  /** Most answers cached per process; the oldest goes first. @default 10000 */
  cacheMaxEntries?: number;
  /**
   * Send UUID-shaped tokens that are no live connection of ours to `ValidateBearer`, for partners
   * whose tokens are UUIDs. Off by default: an expired or another tenant's connection id would
   * reach the partner.
   * @default false
   */
  forwardUnknownUuids?: boolean;
  /**
   * JWT profiles (ids in `logon.tokenTypes` or the tenant's `tokenTypes`) whose access tokens
   * API routes verify locally — issuer, audience, algorithms, lifetime, required scopes and
   * claims — and sign in through `resolveUser`, with no round trip. A JWT naming another issuer
   * still goes to `ValidateBearer`.
   * @default [] (none)
   */
  jwtProfiles?: string[];
}

/** A list of JWT profile ids, as `bearer.jwtProfiles` and `tenants.<name>.jwtProfiles` take it. */
export const jwtProfileIdsSchema = z.array(z.string().min(1)).refine((ids) => new Set(ids).size === ids.length, 'lists a profile twice');

/** Validates {@link BearerOptions}; every default is written here. */
export const bearerOptionsSchema = optionSchema<BearerOptions>()(
  z.strictObject({
    realm: z
      .string()
      .regex(/^[\x20-\x7e]{1,64}$/)
      .refine((realm) => !/["\\]/.test(realm), 'must not contain quotes or backslashes')
      .default('api'),
    allowQueryToken: z.boolean().default(false),
    cacheTtlMs: durationMs(3600_000).default(30_000),
    negativeCacheTtlMs: z.number().int().min(0).max(5_000).default(0),
    cacheMaxEntries: z.number().int().positive().max(10_000_000).default(10_000),
    forwardUnknownUuids: z.boolean().default(false),
    jwtProfiles: jwtProfileIdsSchema.default([]),
  }),
);

/** {@link BearerOptions} after validation. */
export type ParsedBearerOptions = z.output<typeof bearerOptionsSchema>;
