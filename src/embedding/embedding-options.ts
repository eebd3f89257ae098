import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { frameAncestorPattern } from './frame-ancestors.js';

/** Option `embedding.cookie`: the session cookie of embedded sessions. */
export interface EmbeddedCookieOptions {
  /** `SameSite` of the cookie; `'none'` needs `secure`. @default 'none' */
  sameSite?: 'none' | 'lax' | 'strict';
  /** `Secure`: sent over https only (an embedded handoff over http is then refused before the token is spent). @default true */
  secure?: boolean;
  /** `Partitioned` (CHIPS), which browsers that block third-party cookies still accept; needs `secure`. @default true */
  partitioned?: boolean;
}

/** Options `embedding`: the iframe (`noChrome`) handoff. */
export interface EmbeddingOptions {
  /**
   * Origins that may frame the signed-in portal after an embedded handoff, sent as
   * `Content-Security-Policy: frame-ancestors …` on its pages. Exact origins
   * (`https://partner.example`), `https://*.partner.example` or `'self'`; never `*`.
   * @default [] — nobody may frame it until you list the partners
   */
  frameAncestors?: string[];
  /** Session cookie of embedded sessions (see {@link EmbeddedCookieOptions}). */
  cookie?: EmbeddedCookieOptions;
}

/** A list of `frame-ancestors` origins (lower-cased), as `embedding.frameAncestors` and `tenants.<name>.frameAncestors` take it. */
export const frameAncestorsSchema = z.array(
  z
    .string()
    .transform((origin) => origin.toLowerCase())
    .refine((origin) => origin !== '*', 'must list origins: "*" would let any site frame the signed-in portal')
    .refine((origin) => origin === '*' || frameAncestorPattern.test(origin), "must be an origin like https://partner.example, https://*.partner.example or 'self'"),
);

/** Validates {@link EmbeddedCookieOptions}; every default is written here. */
export const embeddedCookieOptionsSchema = optionSchema<EmbeddedCookieOptions>()(
  z
    .strictObject({
      sameSite: z.enum(['none', 'lax', 'strict']).default('none'),
      secure: z.boolean().default(true),
      partitioned: z.boolean().default(true),
    })
    .refine((cookie) => cookie.sameSite !== 'none' || cookie.secure, {
      message: 'sameSite "none" needs secure: true (browsers drop such cookies otherwise)',
      path: ['secure'],
    })
    .refine((cookie) => !cookie.partitioned || cookie.secure, { message: 'partitioned cookies (the default) need secure: true', path: ['secure'] }),
);

/** Validates {@link EmbeddingOptions}; every default is written here. */
export const embeddingOptionsSchema = optionSchema<EmbeddingOptions>()(
  z.strictObject({
    frameAncestors: frameAncestorsSchema.default([]),
    cookie: embeddedCookieOptionsSchema.prefault({}),
  }),
);

/** {@link EmbeddingOptions} after validation. */
export type ParsedEmbeddingOptions = z.output<typeof embeddingOptionsSchema>;
