import { BlockList, isIP } from 'node:net';

// Special-purpose ranges a partner validator never legitimately lives in: loopback, private,
// link-local (cloud metadata at 169.254.169.254), shared, multicast, reserved, documentation.
const privateIpv4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const;
const privateIpv6 = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const;

const privateRanges = new BlockList();
for (const [address, prefix] of privateIpv4) privateRanges.addSubnet(address, prefix, 'ipv4');
for (const [address, prefix] of privateIpv6) privateRanges.addSubnet(address, prefix, 'ipv6');

/**
 * One spelling per address: an IPv6 address in its shortest form (RFC 5952, as the URL standard
 * writes it: lower case, the longest zero run compressed, an embedded IPv4 part in hex), and the
 * IPv4 address inside an IPv4-mapped IPv6 address in any spelling (`::ffff:127.0.0.1`,
 * `0:0:0:0:0:ffff:7f00:1`). Brackets and an IPv6 zone are removed; anything else is returned as is.
 */
export function canonicalAddress(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase().split('%')[0]!;
  if (isIP(bare) !== 6) return bare;
  const shortest = new URL(`http://[${bare}]`).hostname.slice(1, -1);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(shortest);
  if (hex !== null) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return shortest;
}

/** True for loopback, private, link-local and other special-purpose addresses (IPv4 or IPv6). */
export function isPrivateAddress(address: string): boolean {
  const canonical = canonicalAddress(address);
  const family = isIP(canonical);
  if (family === 0) return false;
  return privateRanges.check(canonical, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * A matcher for CIDR blocks or single addresses (IPv4-mapped IPv6 addresses match as IPv4). A
 * malformed entry throws a `TypeError`, or with `skipMalformed` matches nothing.
 */
export function addressMatcher(ranges: readonly string[], options: { skipMalformed?: boolean } = {}): (address: string) => boolean {
  const list = new BlockList();
  const malformed = (message: string) => {
    if (!options.skipMalformed) throw new TypeError(message);
  };
  for (const range of ranges) {
    const [address = '', prefix, ...extra] = range.trim().split('/');
    const family = isIP(address);
    if (family === 0 || extra.length > 0) {
      malformed(`"${range}" is not an IP address or CIDR block`);
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else if (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)) list.addSubnet(address, Number(prefix), type);
    else malformed(`"${range}" has an invalid prefix length`);
  }
  return (address) => {
    const canonical = canonicalAddress(address);
    const family = isIP(canonical);
    return family !== 0 && list.check(canonical, family === 4 ? 'ipv4' : 'ipv6');
  };
}
