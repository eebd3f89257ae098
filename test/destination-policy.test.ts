import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandDefinitionSchema } from '../src/config/command-schema.js';
import { isPrivateAddress } from '../src/destination/address-ranges.js';
import type { HttpOptions } from '../src/destination/http-options.js';
import { createHttpExecutor } from '../src/executor/http-executor.js';
import { createLoginWithToken, LoginError } from '../src/index.js';
import { expectOptionsError } from './support/options-error.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';

let partner: PartnerServer;
beforeAll(async () => {
  partner = await startPartnerServer((_r, res) => json(res, 200, { ContactId: 1 }));
});
afterAll(() => partner.close());
beforeEach(() => {
  partner.received.length = 0;
});

const port = () => new URL(partner.origin).port;

async function call(url: string, options: HttpOptions = {}): Promise<unknown> {
  const executor = createHttpExecutor({ timeoutMs: 1000, ...options });
  try {
    return await executor.run({ name: 'LoginWithToken', tenant: 't', definition: commandDefinitionSchema.parse({ url, method: 'GET' }) }, {}, new AbortController().signal);
  } finally {
    await executor.close?.();
  }
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  expect((error as LoginError).code).toBe('validator_unavailable');
  return (error as LoginError).reason ?? '';
}

describe('destination policy of the HTTP executor', () => {
  it('refuses loopback unless allowed, before any byte is sent', async () => {
    expect(await refusal(call(`${partner.origin}/v`))).toContain('LWT_DESTINATION_REFUSED');
    expect(partner.received).toHaveLength(0);
    await expect(call(`${partner.origin}/v`, { allowPrivateAddresses: ['127.0.0.1'] })).resolves.toEqual({ ContactId: 1 });
    expect(partner.received).toHaveLength(1);
  });

  it('checks the address after DNS: a name resolving to loopback is refused', async () => {
    expect(await refusal(call(`http://localhost:${port()}/v`))).toContain('LWT_DESTINATION_REFUSED');
    expect(partner.received).toHaveLength(0);
  });

  it('checks the address it connects to, so DNS rebinding cannot get around it', async () => {
    // A "public" name that an attacker's DNS answers with a loopback address.
    const rebinding = async () => [{ address: '127.0.0.1' }];
    expect(await refusal(call(`http://partner.example:${port()}/v`, { lookup: rebinding }))).toContain('LWT_DESTINATION_REFUSED');
    expect(partner.received).toHaveLength(0);
    await call(`http://partner.example:${port()}/v`, { lookup: rebinding, allowPrivateAddresses: ['127.0.0.1'] });
    expect(partner.received[0]!.headers.host).toBe(`partner.example:${port()}`);
  });

  it.each([
    ['decimal', 'http://2130706433'],
    ['octal', 'http://0177.0.0.1'],
    ['hex', 'http://0x7f.0.0.1'],
    ['short', 'http://127.1'],
    ['IPv4-mapped IPv6', 'http://[::ffff:127.0.0.1]'],
    ['IPv4-mapped IPv6 in hex', 'http://[::ffff:7f00:1]'],
  ])('treats the %s form of 127.0.0.1 as loopback', async (_form, base) => {
    expect(await refusal(call(`${base}:${port()}/v`))).toContain('LWT_DESTINATION_REFUSED');
    await expect(call(`${base}:${port()}/v`, { allowPrivateAddresses: ['127.0.0.0/8'] })).resolves.toEqual({ ContactId: 1 });
  });

  it('refuses the cloud metadata address and other special ranges without connecting', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/', 'http://[fd00::1]/', 'http://10.0.0.1/', 'http://0.0.0.0/']) {
      expect(await refusal(call(url))).toContain('LWT_DESTINATION_REFUSED');
    }
  });

  it('classifies addresses', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', '::', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '::ffff:a00:1', '[::1]', '224.0.0.1']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', 'not-an-ip']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  it('holds commands to the host allow-lists at start-up', () => {
    const create = (options: object) => () => createLoginWithToken({ resolveUser: () => null, ...options });
    expectOptionsError(create({ commands: { LoginWithToken: { url: 'https://evil.example/v', allowedHosts: ['partner.example'] } } }), {
      code: 'LWT_INVALID_OPTION',
      path: 'commands.LoginWithToken.url',
      message: 'commands.LoginWithToken.url: host is not on allowedHosts',
    });
    expectOptionsError(create({ http: { allowedHosts: ['*.partner.example'] }, commands: { LoginWithToken: { url: 'https://partner.example/v' } } }), {
      code: 'LWT_INVALID_OPTION',
      path: 'commands.LoginWithToken.url',
      message: 'commands.LoginWithToken.url: host is not on http.allowedHosts',
    });
    expect(create({ http: { allowedHosts: ['*.partner.example'] }, commands: { LoginWithToken: { url: 'https://sso.partner.example/v' } } })).not.toThrow();
    expectOptionsError(create({ http: { allowPrivateAddresses: ['not-a-range'] } }), { code: 'LWT_INVALID_OPTION', path: 'http.allowPrivateAddresses' });
    expect(create({ http: { allowedHosts: ['[::1]'] }, commands: { LoginWithToken: { url: 'http://[::1]:8080/v' } } })).not.toThrow();
  });
});
