import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { durationMs } from '../config/zod-helpers.js';
import { safeReturnTo } from './safe-return-to.js';

/** Options `handoff`: the one-time `authToken` handoff (`{mount}/authentication/login`). */
export interface HandoffOptions {
  /**
   * How long a redeemed token is remembered as used. Partner tokens must expire sooner, or a
   * replay after this age relies on the partner's own single-use check. At most 7 days.
   * @default 600000 (10 min)
   */
  maxTokenAgeMs?: number;
  /**
   * How long a redemption in progress holds its token (a handoff token, or a signed sender
   * token at LogonWithToken) before another request may try; a crashed process releases it
   * after this. At most 1 hour.
   * @default 60000
   */
  reservationMs?: number;
  /** Where users land when `returnTo` is missing or refused; a same-origin path. @default '/' */
  defaultReturnTo?: string;
}

/** Validates {@link HandoffOptions}; every default is written here. */
export const handoffOptionsSchema = optionSchema<HandoffOptions>()(
  z.strictObject({
    maxTokenAgeMs: durationMs(7 * 24 * 3600_000).default(600_000),
    reservationMs: durationMs(3600_000).default(60_000),
    defaultReturnTo: z
      .string()
      .refine((path) => path !== '' && safeReturnTo(path, '') === path, 'must be a same-origin path such as "/"')
      .default('/'),
  }),
);

/** {@link HandoffOptions} after validation. */
export type ParsedHandoffOptions = z.output<typeof handoffOptionsSchema>;
