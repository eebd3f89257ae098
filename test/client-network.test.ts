import { isIPv6 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientNetwork } from '../src/request/client-network.js';

const hex = (group: number) => group.toString(16);

/** The ways one IPv6 address may be written (without an embedded IPv4 tail). */
function notations(groups: number[]): string[] {
  const full = groups.map((group) => hex(group).padStart(4, '0')).join(':');
  const minimal = groups.map(hex).join(':');
  // Compress the longest run of zero groups, as RFC 5952 does (a run of one is legal to parse too).
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > best.length) best = { start, length };
  }
  const compressed =
    best.length === 0 ? minimal : `${groups.slice(0, best.start).map(hex).join(':')}::${groups.slice(best.start + best.length).map(hex).join(':')}`;
  return [full, minimal, compressed, full.toUpperCase(), `[${compressed}]`];
}

// Zero groups often, so compression gets exercised; IPv4-mapped addresses count as IPv4 instead.
const ipv6Groups = fc
  .array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .filter((groups) => !(groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff));

describe('clientNetwork', () => {
  it('counts an IPv4 address as itself', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('203.0.113.8')).not.toBe(clientNetwork('203.0.113.7'));
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address, dotted or in hex', () => {
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::FFFF:cb00:7107')).toBe('203.0.113.7');
    expect(clientNetwork('[::ffff:203.0.113.7]')).toBe('203.0.113.7');
  });

  it('counts an IPv6 address by its /64, written without leading zeros', () => {
    expect(clientNetwork('2001:0db8:00a0:0000:1234:5678:9abc:def0')).toBe('2001:db8:a0:0::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('puts every address an attacker picks inside one /64 into the same count', () => {
    const networks = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const iid = Array.from({ length: 4 }, (_, j) => hex((i * 7919 + j * 104_729) & 0xffff)).join(':');
      networks.add(clientNetwork(`2001:db8:5:6:${iid}`));
    }
    networks.add(clientNetwork('2001:db8:5:6::'));
    expect([...networks]).toEqual(['2001:db8:5:6::/64']);
  });

  it('tells neighbouring /64s apart', () => {
    expect(clientNetwork('2001:db8:5:6::1')).not.toBe(clientNetwork('2001:db8:5:7::1'));
    expect(clientNetwork('2001:db8::5:6:0:0:1')).not.toBe(clientNetwork('2001:db8::1'));
  });

  it('gives one address the same network however it is written', () => {
    fc.assert(
      fc.property(ipv6Groups, (groups) => {
        const expected = `${groups.slice(0, 4).map(hex).join(':')}::/64`;
        const written = notations(groups);
        expect(written.every((address) => isIPv6(address.replace(/^\[|\]$/g, '')))).toBe(true);
        expect(written.map(clientNetwork)).toEqual(written.map(() => expected));
      }),
      { numRuns: 300 },
    );
  });
});

describe('clientNetwork of unusual spellings', () => {
  it('counts an address with an embedded IPv4 part in the /64 it belongs to', () => {
    expect(clientNetwork('1::2:3:4:5:6.7.8.9')).toBe(clientNetwork('1:0:2:3:4:5:6.7.8.9'));
    expect(clientNetwork('1::2:3:4:5:6.7.8.9')).toBe('1:0:2:3::/64');
    expect(clientNetwork('a::d:e:f:1.2.3.4')).toBe('a:0:0:d::/64');
  });

  it('counts an IPv4-mapped address in its full form as the IPv4 client it is', () => {
    expect(clientNetwork('0:0:0:0:0:ffff:cb00:7107')).toBe('203.0.113.7');
    expect(clientNetwork('0:0:0:0:0:ffff:cb00:7107')).toBe(clientNetwork('::ffff:203.0.113.7'));
  });
});
