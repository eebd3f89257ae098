import { addressMatcher } from '../destination/address-ranges.js';

/**
 * True when `ip` lies in one of `ranges` (addresses or CIDR blocks, IPv4 or IPv6; an
 * IPv4-mapped IPv6 client address is compared as IPv4). Malformed ranges match nothing.
 */
export function ipAllowed(ip: string, ranges: readonly string[]): boolean {
  return addressMatcher(ranges, { skipMalformed: true })(ip);
}
