import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoveryUrlOf } from '../src/config/endpoint-url.js';
import type { HttpOptions } from '../src/destination/http-options.js';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import { createDiscovery, discoveredEndpoint, type ProviderMetadata } from '../src/oauth/discovery.js';
import { createJwksCache } from '../src/oauth/jwks-cache.js';
import { partnerPool } from './support/partner-pool.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { rejection as failure, thrown } from './support/login-failure.js';

const settings = { cooldownMs: 1000, maxAgeMs: 60_000 };
const loopback: HttpOptions = { allowPrivateAddresses: ['127.0.0.0/8'] };
const wellKnown = '/realm/.well-known/openid-configuration';

let server: PartnerServer;
let issuer: string;
let served: unknown;
let time: number;
let partner: PartnerDispatcher | undefined;

beforeAll(async () => {
  server = await startPartnerServer();
  issuer = `${server.origin}/realm`;
});
afterAll(() => server.close());
beforeEach(() => {
  time = 1_700_000_000_000;
  server.received.length = 0;
  served = metadata();
  server.behave((received, res) => (received.url === wellKnown ? json(res, 200, served) : json(res, 404, {})));
});
afterEach(async () => {
  await partner?.close();
  partner = undefined;
});

/** A discovery document of the test issuer, with `fields` changed. */
function metadata(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/keys`,
    introspection_endpoint: `${issuer}/introspect`,
    token_endpoint: `${issuer}/token`,
    ...fields,
  };
}

/** The discovery of the test issuer's document, fetched under `http`. */
function discovery(options: { issuers?: string[]; allowedHosts?: string[]; http?: HttpOptions } = {}) {
  partner = partnerPool(options.http ?? loopback);
  return createDiscovery(discoveryUrlOf(issuer), options.issuers ?? [issuer], settings, {
    dispatcher: partner.dispatcher,
    allowedHosts: options.allowedHosts,
    timeoutMs: 2000,
    now: () => time,
  });
}

/** The metadata of a document with `fields` changed. */
async function metadataOf(fields: Record<string, unknown>, options: { allowedHosts?: string[] } = {}): Promise<ProviderMetadata> {
  served = metadata(fields);
  return discovery(options).current();
}

const discoveryRequests = () => server.received.filter((received) => received.url === wellKnown).length;

describe('createDiscovery', () => {
  it('fetches {issuer}/.well-known/openid-configuration and gives the issuer and the endpoints it uses', async () => {
    const found = await discovery().current();
    expect(found.issuer).toBe(issuer);
    expect(Object.keys(found.endpoints).sort()).toEqual(['introspection_endpoint', 'jwks_uri']);
    expect(discoveredEndpoint(found, 'jwks_uri').href).toBe(`${issuer}/keys`);
    expect(discoveredEndpoint(found, 'introspection_endpoint').href).toBe(`${issuer}/introspect`);
    expect(server.received.map((received) => [received.method, received.url])).toEqual([['GET', wellKnown]]);
  });

  describe('the issuer', () => {
    it.each<[string, (configured: string) => unknown]>([
      ['with a trailing slash added', (configured) => `${configured}/`],
      ['of another path', (configured) => `${configured}/other`],
      ['of another host', () => 'https://attacker.example/realm'],
      ['in other letter case', (configured) => configured.toUpperCase()],
      ['missing', () => undefined],
      ['not a string', (configured) => [configured]],
    ])('refuses a document naming an issuer %s', async (_how, named) => {
      served = metadata({ issuer: named(issuer) });
      const error = await failure(discovery().current());
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('discovery document unavailable: discovery document names another issuer');
    });

    it('refuses a document without the trailing slash the configured issuer has, though both share the document URL', async () => {
      expect(discoveryUrlOf(`${issuer}/`).href).toBe(discoveryUrlOf(issuer).href);
      const error = await failure(discovery({ issuers: [`${issuer}/`] }).current());
      expect(error.reason).toBe('discovery document unavailable: discovery document names another issuer');
    });

    it('accepts any one of the configured issuers exactly', async () => {
      const found = await discovery({ issuers: ['https://sts.example/tenant/', issuer] }).current();
      expect(found.issuer).toBe(issuer);
    });

    it.each([['an array', []], ['null', null], ['a string', 'issuer']])('refuses a document that is %s', async (_what, document) => {
      served = document;
      const error = await failure(discovery().current());
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('discovery document unavailable: discovery document is not an object');
    });
  });

  describe('the endpoints', () => {
    it.each([
      'https://idp.example/keys',
      'http://127.0.0.1:8443/keys',
      'http://localhost/keys',
      'http://[::1]:8080/keys',
    ])('accepts %s (https, or http on loopback)', async (url) => {
      const found = await metadataOf({ jwks_uri: url });
      expect(discoveredEndpoint(found, 'jwks_uri').href).toBe(new URL(url).href);
    });

    it.each([
      ['http://idp.example/keys', 'must use https (http only for loopback)'],
      ['http://127.0.0.1.attacker.example/keys', 'must use https (http only for loopback)'],
      ['http://localhost.attacker.example/keys', 'must use https (http only for loopback)'],
      ['ftp://idp.example/keys', 'must be an absolute http(s) URL'],
      ['file:///etc/passwd', 'must be an absolute http(s) URL'],
      ['/keys', 'must be an absolute http(s) URL'],
      [42, 'is not a string'],
      [['https://idp.example/keys'], 'is not a string'],
    ])('refuses jwks_uri %j: %s', async (url, problem) => {
      const found = await metadataOf({ jwks_uri: url });
      const error = thrown(() => discoveredEndpoint(found, 'jwks_uri'));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe(`discovery document's jwks_uri ${problem}`);
    });

    it('refuses an introspection_endpoint the same way, each endpoint on its own', async () => {
      const found = await metadataOf({ introspection_endpoint: 'http://idp.example/introspect' });
      expect(thrown(() => discoveredEndpoint(found, 'introspection_endpoint')).reason).toBe("discovery document's introspection_endpoint must use https (http only for loopback)");
      expect(discoveredEndpoint(found, 'jwks_uri').href).toBe(`${issuer}/keys`);
    });

    it('is validator_unavailable for an endpoint the document does not name', async () => {
      const found = await metadataOf({ introspection_endpoint: undefined });
      const error = thrown(() => discoveredEndpoint(found, 'introspection_endpoint'));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('discovery document has no introspection_endpoint');
    });

    describe('with allowedHosts', () => {
      const allowedHosts = ['idp.example', '*.login.example'];

      it.each(['https://idp.example/keys', 'https://eu.login.example/keys', 'https://IDP.example/keys'])('accepts %s', async (url) => {
        const found = await metadataOf({ jwks_uri: url }, { allowedHosts });
        expect(discoveredEndpoint(found, 'jwks_uri').href).toBe(new URL(url).href);
      });

      it.each([
        'https://attacker.example/keys',
        'https://idp.example.attacker.example/keys',
        'https://evilidp.example/keys',
        'https://login.example/keys',
        'https://idp.example@attacker.example/keys',
        'https://attacker.example/keys?host=idp.example',
      ])('refuses %s', async (url) => {
        const found = await metadataOf({ jwks_uri: url }, { allowedHosts });
        const error = thrown(() => discoveredEndpoint(found, 'jwks_uri'));
        expect(error.code).toBe('validator_unavailable');
        expect(error.reason).toBe("discovery document's jwks_uri is on a host off allowedHosts");
      });

      it('accepts any https host without allowedHosts', async () => {
        const found = await metadataOf({ jwks_uri: 'https://attacker.example/keys' });
        expect(discoveredEndpoint(found, 'jwks_uri').href).toBe('https://attacker.example/keys');
      });
    });
  });

  describe('discovered endpoints stay under the destination policy', () => {
    const header = { alg: 'RS256', kid: 'unknown' };
    const jws = { payload: '', signature: '', protected: '' };

    it('never fetches a jwks_uri on a host off allowedHosts, even on a reachable loopback address', async () => {
      served = metadata({ jwks_uri: `http://localhost:${new URL(server.origin).port}/keys` });
      const found = discovery({ allowedHosts: ['127.0.0.1'] });
      const keys = createJwksCache(async () => discoveredEndpoint(await found.current(), 'jwks_uri'), { jwksCooldownMs: 1000, jwksMaxAgeMs: 60_000, jwksTimeoutMs: 2000 }, { now: () => time, dispatcher: partner!.dispatcher });
      const error = await failure(Promise.resolve().then(() => keys(header, jws)));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe("JWKS unavailable: discovery document's jwks_uri is on a host off allowedHosts");
      expect(server.received.map((received) => received.url)).toEqual([wellKnown]);
    });

    it('refuses a jwks_uri resolving to a private address that the pool does not allow', async () => {
      const lookedUp: string[] = [];
      const lookup = async (hostname: string) => {
        lookedUp.push(hostname);
        return [{ address: '10.0.0.1' }];
      };
      served = metadata({ jwks_uri: 'https://keys.internal.example/keys' });
      const found = discovery({ http: { ...loopback, lookup } });
      const keys = createJwksCache(async () => discoveredEndpoint(await found.current(), 'jwks_uri'), { jwksCooldownMs: 1000, jwksMaxAgeMs: 60_000, jwksTimeoutMs: 2000 }, { now: () => time, dispatcher: partner!.dispatcher });
      const error = await failure(Promise.resolve().then(() => keys(header, jws)));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('JWKS unavailable: JWKS fetch failed: DestinationRefusedError LWT_DESTINATION_REFUSED');
      expect(lookedUp).toEqual(['keys.internal.example']);
    });

    it('does not fetch the document itself from loopback unless the pool allows it', async () => {
      const error = await failure(discovery({ http: {} }).current());
      expect(error.code).toBe('validator_unavailable');
      expect(server.received).toHaveLength(0);
    });
  });

  describe('caching', () => {
    it('fetches the document once for many uses, and once for concurrent ones', async () => {
      const found = discovery();
      await Promise.all([found.current(), found.current(), found.current()]);
      await found.current();
      expect(discoveryRequests()).toBe(1);
    });

    it('fetches it again after maxAgeMs', async () => {
      const found = discovery();
      await found.current();
      time += settings.maxAgeMs;
      await found.current();
      expect(discoveryRequests()).toBe(1);
      time += 1;
      served = metadata({ jwks_uri: `${issuer}/keys-2` });
      // The stale document answers at once; the refetch runs behind it (refresh() joins it).
      expect(discoveredEndpoint(await found.current(), 'jwks_uri').href).toBe(`${issuer}/keys`);
      expect(await found.refresh()).toBe(true);
      expect(discoveredEndpoint(await found.current(), 'jwks_uri').href).toBe(`${issuer}/keys-2`);
      expect(discoveryRequests()).toBe(2);
    });

    it('keeps the last good metadata when a refreshed document names another issuer', async () => {
      const found = discovery();
      await found.current();
      served = metadata({ issuer: 'https://attacker.example', jwks_uri: 'https://attacker.example/keys' });
      time += settings.maxAgeMs + 1;
      await found.current();
      expect(await found.refresh()).toBe(false);
      expect(found.failing).toBe(true);
      const kept = await found.current();
      expect(discoveryRequests()).toBe(2);
      expect(kept.issuer).toBe(issuer);
      expect(discoveredEndpoint(kept, 'jwks_uri').href).toBe(`${issuer}/keys`);
    });

    it('waits cooldownMs after a failed fetch before asking again', async () => {
      served = metadata({ issuer: 'https://attacker.example' });
      const found = discovery();
      await failure(found.current());
      await failure(found.current());
      expect(discoveryRequests()).toBe(1);
      time += settings.cooldownMs;
      served = metadata();
      expect((await found.current()).issuer).toBe(issuer);
      expect(discoveryRequests()).toBe(2);
    });
  });
});
