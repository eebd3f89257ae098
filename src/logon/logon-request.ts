import { z } from 'zod';

/** The body of `Authentication/LogonWithToken`, as in the vendor's method signature. */
export const logonRequestSchema = z.object({
  tenantName: z.string().max(256).nullish(),
  token: z.string().min(1, 'must not be empty').max(16_384),
  tokenType: z.string().min(1, 'must not be empty').max(256),
  clientId: z.string().max(256).nullish(),
  // Deprecated in the vendor's API; accepted and ignored.
  timeZoneOffsetMinutes: z.number().int().min(-1440).max(1440).nullish(),
});
