import { describe, expect, it } from 'vitest';
import type { LoginError } from '../src/errors/login-error.js';
import { checkAllowedIp, ipAllowed } from '../src/logon/ip-allow-list.js';
import type { LogonContext } from '../src/logon/logon-hooks.js';

describe('ipAllowed', () => {
  it('matches single addresses and CIDR blocks, IPv4 and IPv6', () => {
    const ranges = ['203.0.113.7', '10.0.0.0/8', '2001:db8:1::/48'];
    expect(ipAllowed('203.0.113.7', ranges)).toBe(true);
    expect(ipAllowed('203.0.113.8', ranges)).toBe(false);
    expect(ipAllowed('10.255.0.1', ranges)).toBe(true);
    expect(ipAllowed('11.0.0.1', ranges)).toBe(false);
    expect(ipAllowed('2001:db8:1:ffff::1', ranges)).toBe(true);
    expect(ipAllowed('2001:db8:2::1', ranges)).toBe(false);
  });

  it('compares an IPv4-mapped IPv6 client address as IPv4', () => {
    expect(ipAllowed('::ffff:10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(ipAllowed('::ffff:a01:203', ['10.1.2.3'])).toBe(true);
    expect(ipAllowed('::FFFF:192.0.2.1', ['10.0.0.0/8'])).toBe(false);
  });

  it('keeps the families apart: 0.0.0.0/0 admits no IPv6 client', () => {
    expect(ipAllowed('198.51.100.1', ['0.0.0.0/0'])).toBe(true);
    expect(ipAllowed('2001:db8::1', ['0.0.0.0/0'])).toBe(false);
  });

  it('lets malformed ranges match nothing without spoiling the others', () => {
    const ranges = ['not-an-ip', '10.0.0.0/33', '10.0.0.0/abc', '10.0.0.0/', '::/129', '192.0.2.0/24'];
    expect(() => ipAllowed('10.0.0.1', ranges)).not.toThrow();
    expect(ipAllowed('10.0.0.1', ranges)).toBe(false);
    expect(ipAllowed('192.0.2.9', ranges)).toBe(true);
  });

  it.each([
    ['an empty address', ''],
    ['a host name', 'localhost'],
    ['a forwarded-for list', '10.0.0.1, 198.51.100.1'],
    ['an address with a port', '10.0.0.1:443'],
    ['an address with a suffix', '10.0.0.1.evil.example'],
    ['a zero-padded address', '010.000.000.001'],
  ])('does not admit %s', (_, address) => {
    expect(ipAllowed(address, ['10.0.0.0/8'])).toBe(false);
  });

  it('admits nobody with an empty list', () => {
    expect(ipAllowed('10.0.0.1', [])).toBe(false);
  });
});

describe('checkAllowedIp', () => {
  const user = { id: 'u-1', offices: ['192.0.2.0/24'] };
  const context = (ip: string): LogonContext => ({ tenant: 'acme', clientId: null, ip, tokenType: 'apitoken' });
  const outcome = (hook: Parameters<typeof checkAllowedIp<typeof user>>[0], ip: string) => {
    try {
      checkAllowedIp(hook, user, context(ip));
      return 'accepted';
    } catch (error) {
      return (error as LoginError).code;
    }
  };

  it('allows any address without a hook, or when the hook gives no ranges', () => {
    expect(outcome(undefined, '198.51.100.1')).toBe('accepted');
    expect(outcome(() => undefined, '198.51.100.1')).toBe('accepted');
  });

  it('asks the hook with the user and context, and refuses an address outside its ranges with 10222', () => {
    const asked: unknown[] = [];
    const hook = (who: typeof user, seen: LogonContext) => {
      asked.push([who.id, seen.ip]);
      return who.offices;
    };
    expect(outcome(hook, '192.0.2.50')).toBe('accepted');
    expect(outcome(hook, '198.51.100.1')).toBe('ip_not_allowed');
    expect(asked).toEqual([['u-1', '192.0.2.50'], ['u-1', '198.51.100.1']]);
    let thrown: unknown;
    try {
      checkAllowedIp(hook, user, context('198.51.100.1'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'ip_not_allowed', number: 10222, status: 403 });
  });

  it('refuses everybody when the hook gives an empty list', () => {
    expect(outcome(() => [], '192.0.2.50')).toBe('ip_not_allowed');
  });
});
