import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { durationMs } from '../config/zod-helpers.js';

/** Options `sessionTokens`: the tokens `POST {mount}/authentication/token` issues. */
export interface SessionTokenOptions {
  /** Absolute lifetime; no use extends it. At most 30 days. @default 3600000 (1 hour) */
  ttlMs?: number;
  /** Most live session tokens per user; issuing one more ends the oldest. At most 100000. @default 100 */
  maxPerUser?: number;
}

/** Validates {@link SessionTokenOptions}; every default is written here. */
export const sessionTokenOptionsSchema = optionSchema<SessionTokenOptions>()(
  z.strictObject({
    ttlMs: durationMs(30 * 24 * 3600_000).default(3600_000),
    maxPerUser: z.number().int().positive().max(100_000).default(100),
  }),
);

/** {@link SessionTokenOptions} after validation. */
export type ParsedSessionTokenOptions = z.output<typeof sessionTokenOptionsSchema>;
