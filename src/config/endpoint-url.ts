import { z } from 'zod';

const loopbackHost = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/**
 * Why `url` may not be an identity provider's endpoint (JWKS, discovery, introspection), or
 * undefined when it may: absolute https, http only for loopback — tokens and client secrets
 * travel there, and keys fetched in the clear could be swapped.
 */
export function endpointUrlProblem(url: string): string | undefined {
  if (!URL.canParse(url)) return 'must be an absolute http(s) URL';
  const parsed = new URL(url);
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol !== 'http:') return 'must be an absolute http(s) URL';
  return loopbackHost.test(parsed.hostname) ? undefined : 'must use https (http only for loopback)';
}

/**
 * Why `issuer` may not be discovered from, or undefined when it may: an endpoint URL without
 * query or fragment (OpenID Connect Discovery §2, RFC 8414 §2), so the well-known suffix lands
 * in its path.
 */
export function issuerUrlProblem(issuer: string): string | undefined {
  return endpointUrlProblem(issuer) ?? (/[?#]/.test(issuer) ? 'must have no query or fragment' : undefined);
}

/** An option holding an identity provider's endpoint URL (see {@link endpointUrlProblem}). */
export const endpointUrlSchema = z.string().superRefine((url, ctx) => {
  const problem = endpointUrlProblem(url);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

/** Where an issuer publishes its metadata (OpenID Connect Discovery 1.0 §4: a terminating `/` removed before the suffix). */
export function discoveryUrlOf(issuer: string): URL {
  return new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
}

/**
 * How often an identity provider's documents (discovery metadata, key sets) are fetched unless
 * a JWT profile says otherwise: at most once per `cooldownMs`, again after `maxAgeMs`, each
 * fetch within `timeoutMs`.
 */
export const providerDocumentDefaults = { cooldownMs: 30_000, maxAgeMs: 600_000, timeoutMs: 5_000 } as const;
