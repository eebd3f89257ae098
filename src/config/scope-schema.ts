import { z } from 'zod';

/** One required scope: an RFC 6749 §3.3 scope token, which also fits RFC 6750's `scope="…"` challenge. */
export const scopeSchema = z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'must be an RFC 6749 scope token (visible ASCII, no space, quote or backslash)');
