import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { httpOptionsSchema, type HttpOptions } from '../src/destination/http-options.js';
import type { OptionsErrorCode } from '../src/errors/options-error.js';
import { expectOptionsError } from './support/options-error.js';

const parse = (http: HttpOptions) => validateOptions(httpOptionsSchema, http, 'login-with-token', ['http']);

describe('httpOptionsSchema', () => {
  it('fills in every default, and leaves host list, lookup and dispatcher unset', () => {
    expect(parse({})).toEqual({ timeoutMs: 5000, maxResponseBytes: 65_536, connections: 64, keepAliveTimeoutMs: 10_000, allowPrivateAddresses: [] });
  });

  it('keeps what the app gives', async () => {
    const lookup = async () => [{ address: '10.0.4.7' }];
    const dispatcher = new Agent();
    try {
      const parsed = parse({ timeoutMs: 120_000, maxResponseBytes: 16 * 1024 * 1024, connections: 10_000, keepAliveTimeoutMs: 600_000, allowPrivateAddresses: true, allowedHosts: ['partner.example'], lookup, dispatcher });
      expect(parsed).toMatchObject({ timeoutMs: 120_000, maxResponseBytes: 16 * 1024 * 1024, connections: 10_000, keepAliveTimeoutMs: 600_000, allowPrivateAddresses: true, allowedHosts: ['partner.example'] });
      expect(parsed.lookup).toBe(lookup);
      expect(parsed.dispatcher).toBe(dispatcher);
    } finally {
      await dispatcher.close();
    }
  });

  it.each<[string, HttpOptions, string]>([
    ['a zero timeout', { timeoutMs: 0 }, 'http.timeoutMs'],
    ['a timeout over 120000', { timeoutMs: 120_001 }, 'http.timeoutMs'],
    ['a fractional timeout', { timeoutMs: 1.5 }, 'http.timeoutMs'],
    ['an answer cap over 16 MiB', { maxResponseBytes: 16 * 1024 * 1024 + 1 }, 'http.maxResponseBytes'],
    ['a zero answer cap', { maxResponseBytes: 0 }, 'http.maxResponseBytes'],
    ['more than 10000 connections', { connections: 10_001 }, 'http.connections'],
    ['an idle time over 600000', { keepAliveTimeoutMs: 600_001 }, 'http.keepAliveTimeoutMs'],
    ['allowPrivateAddresses: false', { allowPrivateAddresses: false as never }, 'http.allowPrivateAddresses'],
    ['one range as a string', { allowPrivateAddresses: '127.0.0.0/8' as never }, 'http.allowPrivateAddresses'],
    ['a malformed range', { allowPrivateAddresses: ['127.0.0.0/8', 'localhost'] }, 'http.allowPrivateAddresses'],
    ['a prefix too long', { allowPrivateAddresses: ['10.0.0.0/33'] }, 'http.allowPrivateAddresses'],
    ['a lookup that is not a function', { lookup: 'dns' as never }, 'http.lookup'],
    ['a dispatcher that is not an object', { dispatcher: 'proxy' as never }, 'http.dispatcher'],
  ])('refuses %s', (_name, http, path) => {
    expectOptionsError(() => parse(http), { code: 'LWT_INVALID_OPTION', path });
  });

  it('takes host names, *.domain patterns and bracketed IPv6 addresses as allowedHosts', () => {
    expect(parse({ allowedHosts: ['partner.example', '*.partner.example', '[::1]', '10.0.4.7'] }).allowedHosts).toEqual(['partner.example', '*.partner.example', '[::1]', '10.0.4.7']);
  });

  it.each(['https://partner.example', 'partner.example:443', 'partner.example/validate', '*', 'evil.example partner.example', 'partner.example\r\n', 'user@partner.example', ''])(
    'refuses %j as an allowedHosts entry, so the host list cannot be widened by a stray character',
    (entry) => {
      expectOptionsError(() => parse({ allowedHosts: ['partner.example', entry] }), { code: 'LWT_INVALID_OPTION', path: 'http.allowedHosts[1]' });
    },
  );

  it.each<[Record<string, unknown>, OptionsErrorCode, string]>([
    [{ timeout: 1000 }, 'LWT_UNKNOWN_OPTION', 'http.timeout'],
    [{ allowPrivateAdresses: true }, 'LWT_UNKNOWN_OPTION', 'http.allowPrivateAdresses'],
  ])('names a misspelt option: %j', (http, code, path) => {
    expectOptionsError(() => parse(http as HttpOptions), { code, path });
  });
});
