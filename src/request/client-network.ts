import { isIPv4, isIPv6 } from 'node:net';
import { canonicalAddress } from '../destination/address-ranges.js';

/**
 * The unit a client address is counted by: an IPv4 address as is, an IPv6 address by its /64
 * (one subscriber's prefix, which an attacker can fill with addresses at will).
 */
export function clientNetwork(address: string): string {
  // Most clients: already canonical, and one regular expression instead of three.
  if (isIPv4(address)) return address;
  const ip = canonicalAddress(address);
  if (!isIPv6(ip)) return ip;
  // Canonical: lower case, no zone, no embedded IPv4 part.
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
