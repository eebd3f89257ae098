import { describe, expect, it } from 'vitest';
import { addressMatcher, canonicalAddress, isPrivateAddress } from '../src/destination/address-ranges.js';

describe('canonicalAddress', () => {
  it('turns IPv4-mapped IPv6 addresses, dotted or hex, into the IPv4 address', () => {
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(canonicalAddress('[::FFFF:A9FE:A9FE]')).toBe('169.254.169.254');
    expect(canonicalAddress('::ffff:c0a8:102')).toBe('192.168.1.2');
  });

  it('removes brackets and lowercases, and leaves other addresses as they are', () => {
    expect(canonicalAddress('[FE80::1]')).toBe('fe80::1');
    expect(canonicalAddress('10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('2001:4860::8888')).toBe('2001:4860::8888');
    expect(canonicalAddress('Partner.Example')).toBe('partner.example');
  });
});

describe('isPrivateAddress', () => {
  it.each([
    ['0.0.0.0', true],
    ['10.255.255.255', true],
    ['11.0.0.0', false],
    ['100.63.255.255', false],
    ['100.64.0.0', true],
    ['100.127.255.255', true],
    ['100.128.0.0', false],
    ['126.255.255.255', false],
    ['127.255.255.254', true],
    ['169.254.169.254', true],
    ['172.15.255.255', false],
    ['172.16.0.0', true],
    ['172.31.255.255', true],
    ['172.32.0.0', false],
    ['192.0.0.8', true],
    ['192.0.2.1', true],
    ['192.167.255.255', false],
    ['192.168.0.1', true],
    ['198.18.0.1', true],
    ['198.19.255.255', true],
    ['198.20.0.0', false],
    ['198.51.100.7', true],
    ['203.0.113.9', true],
    ['223.255.255.255', false],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
  ])('classifies %s at the edges of the special IPv4 ranges (private: %s)', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it.each([
    ['::', true],
    ['::1', true],
    ['::2', false],
    ['64:ff9b::a9fe:a9fe', true],
    ['100::1', true],
    ['2001:db8::1', true],
    ['fc00::1', true],
    ['fdff:ffff::1', true],
    ['fe80::1', true],
    ['febf::1', true],
    ['fec0::1', false],
    ['ff02::1', true],
    ['2001:4860:4860::8888', false],
  ])('classifies %s among the special IPv6 ranges (private: %s)', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it('sees through every spelling of an IPv4-mapped private address', () => {
    for (const address of ['::ffff:127.0.0.1', '::FFFF:7F00:1', '[::ffff:169.254.169.254]', '0:0:0:0:0:ffff:7f00:1', '0000:0000:0000:0000:0000:ffff:10.0.0.1']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    expect(isPrivateAddress('::ffff:8.8.8.8')).toBe(false);
  });

  it('is false for what is not an IP address', () => {
    for (const value of ['localhost', 'partner.example', '', '127.0.0.1.nip.io', '2130706433']) expect(isPrivateAddress(value), value).toBe(false);
  });
});

describe('addressMatcher', () => {
  it('matches CIDR blocks and single addresses of both families', () => {
    const matches = addressMatcher(['10.0.4.0/24', '127.0.0.1', 'fd00::/8', '::1']);
    expect(matches('10.0.4.200')).toBe(true);
    expect(matches('10.0.5.1')).toBe(false);
    expect(matches('127.0.0.1')).toBe(true);
    expect(matches('127.0.0.2')).toBe(false);
    expect(matches('fd12::1')).toBe(true);
    expect(matches('fe80::1')).toBe(false);
    expect(matches('[::1]')).toBe(true);
  });

  it('matches an IPv4-mapped IPv6 address as the IPv4 address it stands for', () => {
    const matches = addressMatcher(['127.0.0.0/8']);
    expect(matches('::ffff:127.0.0.1')).toBe(true);
    expect(matches('::ffff:7f00:1')).toBe(true);
    expect(matches('::ffff:10.0.0.1')).toBe(false);
  });

  it('never matches what is not an IP address, nor anything with an empty list', () => {
    expect(addressMatcher(['0.0.0.0/0', '::/0'])('localhost')).toBe(false);
    expect(addressMatcher([])('127.0.0.1')).toBe(false);
  });

  it('trims entries', () => {
    expect(addressMatcher([' 10.0.0.0/8 '])('10.1.2.3')).toBe(true);
  });

  it.each(['not-a-range', '10.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', '300.0.0.1', '*'])('throws a TypeError for the malformed entry %j', (entry) => {
    expect(() => addressMatcher(['127.0.0.1', entry])).toThrow(TypeError);
  });

  it('with skipMalformed, ignores malformed entries and keeps the good ones', () => {
    const matches = addressMatcher(['not-a-range', '10.0.0.0/99', '192.168.1.0/24'], { skipMalformed: true });
    expect(matches('192.168.1.7')).toBe(true);
    expect(matches('10.0.0.1')).toBe(false);
  });
});

describe('address spellings', () => {
  it('refuses a range with more than one prefix length, rather than reading the first', () => {
    expect(() => addressMatcher(['10.0.0.0/8/9'])).toThrow(TypeError);
    expect(addressMatcher(['10.0.0.0/8/9'], { skipMalformed: true })('10.1.2.3')).toBe(false);
  });

  it('reads an IPv4-mapped address in its full form as the IPv4 address', () => {
    expect(canonicalAddress('0:0:0:0:0:ffff:cb00:7107')).toBe('203.0.113.7');
    expect(canonicalAddress('0:0:0:0:0:FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(isPrivateAddress('0:0:0:0:0:ffff:7f00:1')).toBe(true);
  });

  it('writes every IPv6 address one way', () => {
    expect(canonicalAddress('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(canonicalAddress('[fe80::1%eth0]')).toBe('fe80::1');
    expect(canonicalAddress('1::2:3:4:5:6.7.8.9')).toBe('1:0:2:3:4:5:607:809');
  });
});
