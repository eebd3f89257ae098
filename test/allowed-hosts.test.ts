import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { allowedHostSchema, hostAllowed } from '../src/config/allowed-hosts.js';
import { validateOptions } from '../src/config/validate-options.js';
import { expectOptionsError } from './support/options-error.js';

describe('hostAllowed', () => {
  it('matches an exact host name, whatever the case, port or path', () => {
    expect(hostAllowed('https://partner.example', ['partner.example'])).toBe(true);
    expect(hostAllowed('https://PARTNER.Example:8443/validate?x=1', ['Partner.EXAMPLE'])).toBe(true);
    expect(hostAllowed('https://other.example', ['partner.example'])).toBe(false);
    expect(hostAllowed('https://partner.example', [])).toBe(false);
  });

  it('matches *.domain on subdomains at any depth, but not on the domain itself', () => {
    const allowed = ['*.partner.example'];
    expect(hostAllowed('https://sso.partner.example', allowed)).toBe(true);
    expect(hostAllowed('https://eu.sso.partner.example', allowed)).toBe(true);
    expect(hostAllowed('https://partner.example', allowed)).toBe(false);
  });

  it('refuses hosts that only look like an allowed one', () => {
    expect(hostAllowed('https://evilpartner.example', ['*.partner.example'])).toBe(false);
    expect(hostAllowed('https://partner.example.evil.example', ['partner.example'])).toBe(false);
    expect(hostAllowed('https://partner.example.evil.example', ['*.partner.example'])).toBe(false);
    expect(hostAllowed('https://xpartner.example', ['partner.example'])).toBe(false);
  });

  it('judges the host a URL really reaches, not names hidden in credentials or backslashes', () => {
    expect(hostAllowed('https://partner.example@evil.example/validate', ['partner.example'])).toBe(false);
    expect(hostAllowed('https://evil.example\\@partner.example/validate', ['partner.example'])).toBe(false);
    expect(hostAllowed('https://evil.example#@partner.example', ['partner.example'])).toBe(false);
  });

  it('matches bracketed IPv6 addresses and IPv4 addresses in any notation the URL parser normalises', () => {
    expect(hostAllowed('http://[::1]:8080', ['[::1]'])).toBe(true);
    expect(hostAllowed('http://[0:0:0:0:0:0:0:1]', ['[::1]'])).toBe(true);
    expect(hostAllowed('http://[::2]', ['[::1]'])).toBe(false);
    expect(hostAllowed('http://2130706433/', ['127.0.0.1'])).toBe(true);
    expect(hostAllowed('http://0x7f.1/', ['partner.example'])).toBe(false);
  });

  it('compares internationalised names in their punycode form', () => {
    expect(hostAllowed('https://bücher.example', ['xn--bcher-kva.example'])).toBe(true);
    expect(hostAllowed('https://sso.bücher.example', ['*.xn--bcher-kva.example'])).toBe(true);
  });

  it('throws on an origin that is not a URL rather than allowing it', () => {
    expect(() => hostAllowed('partner.example', ['partner.example'])).toThrow(TypeError);
  });
});

describe('allowedHostSchema', () => {
  const hosts = z.array(allowedHostSchema);
  const parse = (value: unknown) => validateOptions(hosts, value, 'test', ['http', 'allowedHosts']);

  it('accepts host names, *.domain patterns, IPv4 and bracketed IPv6 addresses', () => {
    const entries = ['partner.example', '*.partner.example', 'localhost', '10.0.0.7', '[::1]', '[fe80::1]'];
    expect(parse(entries)).toEqual(entries);
  });

  it.each([
    ['a URL', 'https://partner.example'],
    ['a port', 'partner.example:8443'],
    ['a path', 'partner.example/validate'],
    ['a bare wildcard', '*'],
    ['a wildcard inside the name', 'sso.*.partner.example'],
    ['a wildcard without its dot', '*partner.example'],
    ['an unbracketed IPv6 address', '::1'],
    ['credentials', 'user@partner.example'],
    ['white space', 'partner.example '],
    ['an empty string', ''],
  ])('refuses %s', (_what, entry) => {
    expectOptionsError(() => parse(['partner.example', entry]), { code: 'LWT_INVALID_OPTION', path: 'http.allowedHosts[1]' });
  });
});
