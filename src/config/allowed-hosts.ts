import { z } from 'zod';

/**
 * True when the host of `origin` is on `allowed`: exact names (`partner.example`) or `*.` suffix
 * patterns (`*.partner.example`, which does not match `partner.example` itself).
 */
export function hostAllowed(origin: string, allowed: readonly string[]): boolean {
  const host = new URL(origin).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return allowed.some((entry) => {
    const pattern = entry.replace(/^\[|\]$/g, '').toLowerCase();
    return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
  });
}

/** One entry of an `allowedHosts` option: a host name, `*.domain`, or a bracketed IPv6 address. */
export const allowedHostSchema = z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, 'must be a host name or *.domain');
