import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { allowedHostSchema } from '../config/allowed-hosts.js';
import { maxCommandTimeoutMs } from '../config/command-deadline.js';
import { optionSchema } from '../config/option-schema.js';
import { durationMs, functionSchema } from '../config/zod-helpers.js';
import { addressMatcher } from './address-ranges.js';
import type { Lookup } from './guarded-connector.js';

/**
 * Options `http`: how partner calls (commands and JWKS documents) are made — the exchange limits
 * of the default executor and the connections of the one partner pool.
 */
export interface HttpOptions {
  /** Deadline for one exchange (connect, headers and body) unless the command sets its own; at most 120000. @default 5000 */
  timeoutMs?: number;
  /** Largest answer accepted unless the command sets its own; larger ones are `validator_unavailable`. @default 65536 */
  maxResponseBytes?: number;
  /** Pooled keep-alive connections per partner origin. @default 64 */
  connections?: number;
  /** How long an idle pooled connection stays open. @default 10000 */
  keepAliveTimeoutMs?: number;
  /**
   * Loopback, private and link-local addresses a partner may live at (CIDR blocks or addresses),
   * or `true` for all of them. Every other such address is refused — checked on the address
   * actually connected to, after DNS.
   * @default [] — none
   * @example ['127.0.0.0/8', '::1'] for partners on the same machine
   */
  allowPrivateAddresses?: readonly string[] | true;
  /** Host names (`partner.example`, `*.partner.example`) every HTTP command and JWKS URL must use; checked at start-up. @default any host */
  allowedHosts?: readonly string[];
  /** DNS resolution for the destination check. @default dns.lookup with all addresses */
  lookup?: Lookup;
  /**
   * A dispatcher to use instead of the built-in pool (a proxy agent, or one pool shared with
   * other partner traffic). Used as is — it gets no destination check — and never closed here.
   */
  dispatcher?: Dispatcher;
}

/** Validates {@link HttpOptions}; every default is written here. */
export const httpOptionsSchema = optionSchema<HttpOptions>()(
  z.strictObject({
    timeoutMs: durationMs(maxCommandTimeoutMs).default(5000),
    maxResponseBytes: z.number().int().positive().max(16 * 1024 * 1024).default(65_536),
    connections: z.number().int().positive().max(10_000).default(64),
    keepAliveTimeoutMs: durationMs(600_000).default(10_000),
    allowPrivateAddresses: z
      .union([
        z.literal(true),
        z.array(z.string()).superRefine((ranges, ctx) => {
          try {
            addressMatcher(ranges);
          } catch (error) {
            ctx.addIssue({ code: 'custom', message: (error as Error).message });
          }
        })
          .readonly(),
      ])
      .default([]),
    allowedHosts: z.array(allowedHostSchema).readonly().optional(),
    lookup: functionSchema<Lookup>().optional(),
    dispatcher: z.custom<Dispatcher>((value) => typeof value === 'object' && value !== null, { message: 'must be an undici Dispatcher' }).optional(),
  }),
);

/** {@link HttpOptions} after validation, defaults filled in. */
export type ParsedHttpOptions = z.output<typeof httpOptionsSchema>;
