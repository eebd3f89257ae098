import { BlockList, isIP } from 'node:net';

/**
 * True when `ip` lies in one of `ranges` (addresses or CIDR blocks, IPv4 or IPv6; an
 * IPv4-mapped IPv6 client address is compared as IPv4). Malformed ranges match nothing.
 */
export function ipAllowed(ip: string, ranges: readonly string[]): boolean {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = '', prefix] = range.trim().split('/');
    const family = isIP(address);
    if (family === 0) continue;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else if (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)) list.addSubnet(address, Number(prefix), type);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const candidate = mapped ?? ip;
  const family = isIP(candidate);
  return family !== 0 && list.check(candidate, family === 4 ? 'ipv4' : 'ipv6');
}
