import { addressMatcher } from '../destination/address-ranges.js';
import { LoginError } from '../errors/login-error.js';
import type { LogonContext } from './logon-hooks.js';

/**
 * True when `ip` lies in one of `ranges` (addresses or CIDR blocks, IPv4 or IPv6; an
 * IPv4-mapped IPv6 client address is compared as IPv4). Malformed ranges match nothing.
 */
export function ipAllowed(ip: string, ranges: readonly string[]): boolean {
  return addressMatcher(ranges, { skipMalformed: true })(ip);
}

/** The IP policy (10222): the client's address must be on the ranges `logon.allowedIps` gives for the user; none given allows any. */
export function checkAllowedIp<User>(allowedIps: ((user: User, context: LogonContext) => readonly string[] | undefined) | undefined, user: User, context: LogonContext): void {
  const ranges = allowedIps?.(user, context);
  if (ranges !== undefined && !ipAllowed(context.ip, ranges)) throw new LoginError('ip_not_allowed', { reason: 'address not on the user allow-list' });
}
