import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { durationMs } from '../config/zod-helpers.js';

/**
 * Options `rateLimits`: brute-force limits. Failures are counted in fixed windows in the store,
 * by client network (an IPv4 address, an IPv6 /64) or name; every attempt counts *before* the
 * expensive check and is given back unless it was rejected.
 */
export interface RateLimitOptions {
  /** Window length; at most 24 hours. @default 900000 (15 min) */
  windowMs?: number;
  /** Failed `authentication/token` and LogonWithToken calls per client network. @default 100 */
  tokenFailuresPerIp?: number;
  /** Failed guesses at one username, access-token identifier or authentication code from one client network. @default 10 */
  tokenFailuresPerUsername?: number;
  /** Failed guesses at one username, access-token identifier or authentication code from all networks. @default 100 */
  tokenFailuresPerUsernameTotal?: number;
  /** Failed bearer lookups per client network. @default 100 */
  bearerFailuresPerIp?: number;
  /** Handoff tokens the partner rejected, per client network. @default 100 */
  handoffFailuresPerIp?: number;
  /**
   * Failed `authentication/token` calls with an `authentication_code`, per tenant from all
   * networks together: codes are guessed by trying many, so no per-name counter can stop it.
   * Reaching it pauses code sign-ins of that tenant (not passwords) until the window ends.
   * @default 1000
   */
  authenticationCodeFailuresPerTenant?: number;
  /**
   * Partner calls (handoff, credentials, `ValidateBearer`) one client network may have under
   * way at once on one instance; more are refused at once (429), so one client cannot take the
   * whole connection pool (`http.connections`). At most 10000.
   * @default 8
   */
  partnerCallsInFlightPerIp?: number;
}

/** Validates {@link RateLimitOptions}; every default is written here. */
export const rateLimitOptionsSchema = optionSchema<RateLimitOptions>()(
  z.strictObject({
    windowMs: durationMs(24 * 3600_000).default(900_000),
    tokenFailuresPerIp: z.number().int().positive().default(100),
    tokenFailuresPerUsername: z.number().int().positive().default(10),
    tokenFailuresPerUsernameTotal: z.number().int().positive().default(100),
    bearerFailuresPerIp: z.number().int().positive().default(100),
    handoffFailuresPerIp: z.number().int().positive().default(100),
    authenticationCodeFailuresPerTenant: z.number().int().positive().default(1000),
    partnerCallsInFlightPerIp: z.number().int().positive().max(10_000).default(8),
  }),
);

/** {@link RateLimitOptions} after validation. */
export type ParsedRateLimitOptions = z.output<typeof rateLimitOptionsSchema>;
