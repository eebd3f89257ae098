import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGuardedConnector, type Lookup } from '../src/destination/guarded-connector.js';
import { localhostCertificate } from './support/keys.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';

let partner: PartnerServer;
let port: string;
beforeAll(async () => {
  partner = await startPartnerServer((_r, res) => json(res, 200, { ok: true }));
  port = new URL(partner.origin).port;
});
afterAll(() => partner.close());

let agents: Agent[] = [];
beforeEach(() => {
  partner.received.length = 0;
});
afterEach(async () => {
  await Promise.all(agents.map((agent) => agent.destroy()));
  agents = [];
});

/** An agent whose connections go through the guard; records what the guard was asked. */
function guarded(allow: (address: string) => boolean, resolve?: (hostname: string) => readonly { address: string }[] | Promise<readonly { address: string }[]>) {
  const asked: string[] = [];
  const looked: string[] = [];
  const lookup: Lookup | undefined =
    resolve === undefined
      ? undefined
      : async (hostname) => {
          looked.push(hostname);
          return resolve(hostname);
        };
  const agent = new Agent({
    connect: createGuardedConnector((address) => {
      asked.push(address);
      return allow(address);
    }, lookup),
  });
  agents.push(agent);
  const get = async (origin: string) => {
    const { statusCode, body } = await agent.request({ origin, path: '/v', method: 'GET' });
    await body.dump();
    return statusCode;
  };
  return { asked, looked, get };
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(Error);
  return error as Error & { code?: string };
}

describe('createGuardedConnector', () => {
  it('connects to a private address that allowPrivate accepts, asking about that address', async () => {
    const { asked, get } = guarded(() => true);
    expect(await get(partner.origin)).toBe(200);
    expect(asked).toEqual(['127.0.0.1']);
    expect(partner.received).toHaveLength(1);
  });

  it('refuses a private address that allowPrivate rejects, before connecting', async () => {
    const before = partner.connectionCount();
    const { get } = guarded(() => false);
    expect((await failure(get(partner.origin))).code).toBe('LWT_DESTINATION_REFUSED');
    expect(partner.connectionCount()).toBe(before);
  });

  it('checks the address a host name resolves to, so a rebound name cannot reach loopback', async () => {
    const rebound = guarded(() => false, () => [{ address: '127.0.0.1' }]);
    expect((await failure(rebound.get(`http://partner.example:${port}`))).code).toBe('LWT_DESTINATION_REFUSED');
    expect(rebound.looked).toEqual(['partner.example']);
    expect(partner.received).toHaveLength(0);

    const allowed = guarded(() => true, () => [{ address: '127.0.0.1' }]);
    expect(await allowed.get(`http://partner.example:${port}`)).toBe(200);
    expect(partner.received[0]!.headers.host).toBe(`partner.example:${port}`);
  });

  it('connects to the first address it may use among those the name resolves to', async () => {
    const { asked, get } = guarded((address) => address === '127.0.0.1', () => [{ address: '169.254.169.254' }, { address: '10.0.0.1' }, { address: '127.0.0.1' }]);
    expect(await get(`http://partner.example:${port}`)).toBe(200);
    expect(asked).toEqual(['169.254.169.254', '10.0.0.1', '127.0.0.1']);
  });

  it('sees an IPv4-mapped answer as the private IPv4 address it is', async () => {
    const refused = guarded((address) => address === '10.0.0.1', () => [{ address: '::ffff:127.0.0.1' }]);
    expect((await failure(refused.get(`http://partner.example:${port}`))).code).toBe('LWT_DESTINATION_REFUSED');
    const allowed = guarded(() => true, () => [{ address: '::ffff:7f00:1' }]);
    expect(await allowed.get(`http://partner.example:${port}`)).toBe(200);
  });

  it('refuses a name that resolves to no address', async () => {
    const { get } = guarded(() => true, () => []);
    expect((await failure(get(`http://partner.example:${port}`))).code).toBe('LWT_DESTINATION_REFUSED');
  });

  it('passes a failed lookup on as the connection error', async () => {
    const { get } = guarded(() => true, () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND partner.example'), { code: 'ENOTFOUND' })));
    expect((await failure(get(`http://partner.example:${port}`))).code).toBe('ENOTFOUND');
    expect(partner.received).toHaveLength(0);
  });

  it('does not look up an IP literal, IPv6 in brackets included', async () => {
    const server: Server = createServer((_req, res) => json(res, 200, {}));
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    try {
      const { asked, looked, get } = guarded(() => true, () => [{ address: '203.0.113.1' }]);
      expect(await get(`http://[::1]:${(server.address() as AddressInfo).port}`)).toBe(200);
      expect(await get(partner.origin)).toBe(200);
      expect(looked).toEqual([]);
      expect(asked).toEqual(['::1', '127.0.0.1']);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  describe('over TLS', () => {
    let server: HttpsServer;
    let tlsPort: number;
    const names: string[] = [];
    beforeAll(async () => {
      const { key, cert } = await localhostCertificate();
      const context = createSecureContext({ key, cert });
      server = createHttpsServer({ key, cert, SNICallback: (name, done) => (names.push(name), done(null, context)) }, (_req, res) => json(res, 200, {}));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      tlsPort = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('keeps the host name for SNI while connecting to the resolved address, and still verifies the certificate', async () => {
      const { get } = guarded(() => true, () => [{ address: '127.0.0.1' }]);
      // The certificate is self-signed: the refusal shows that verification was not turned off.
      const error = await failure(get(`https://partner.example:${tlsPort}`));
      expect(error.code).toMatch(/CERT|SELF_SIGNED/);
      expect(names).toEqual(['partner.example']);
    });
  });
});
