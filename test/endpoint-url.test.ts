import { describe, expect, it } from 'vitest';
import { discoveryUrlOf, endpointUrlProblem, endpointUrlSchema, providerDocumentDefaults } from '../src/config/endpoint-url.js';

const notAbsolute = 'must be an absolute http(s) URL';
const notHttps = 'must use https (http only for loopback)';

describe('endpointUrlProblem', () => {
  it.each([
    'https://idp.example/.well-known/jwks.json',
    'HTTPS://IDP.example:8443/realms/portal?x=1',
    // https protects keys and secrets whatever the host: private addresses are the destination policy's business.
    'https://10.0.0.1/introspect',
  ])('accepts https: %s', (url) => {
    expect(endpointUrlProblem(url)).toBeUndefined();
  });

  it.each([
    'http://localhost/jwks',
    'http://LOCALHOST:8080/jwks',
    'http://127.0.0.1:54321/token/introspection',
    'http://127.255.255.254/',
    'http://[::1]:9000/jwks',
    // Spellings the URL parser normalises to a loopback address.
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f000001/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://%6c%6f%63%61%6c%68%6f%73%74/',
  ])('accepts http on loopback: %s', (url) => {
    expect(endpointUrlProblem(url)).toBeUndefined();
  });

  it.each([
    'http://10.0.0.1/introspect',
    'http://192.168.1.10/jwks',
    'http://idp.example/jwks',
    'http://0.0.0.0/',
    'http://[::]/',
    // Names that only start like loopback.
    'http://localhost.evil.example/jwks',
    'http://localhost%2eevil.example/jwks',
    'http://localhost./jwks',
    'http://127.0.0.1.evil.example/jwks',
    'http://127.0.0.1.nip.io/jwks',
    // IPv4-mapped IPv6: refused rather than judged.
    'http://[::ffff:127.0.0.1]/',
  ])('refuses http off loopback: %s', (url) => {
    expect(endpointUrlProblem(url)).toBe(notHttps);
  });

  it.each([
    'http://localhost@evil.example/jwks',
    'http://127.0.0.1:80@evil.example/jwks',
    'http://[::1]@evil.example/jwks',
    'http://127.0.0.1%2f@evil.example/jwks',
    'http://evil.example#@127.0.0.1/jwks',
    'http://evil.example?@127.0.0.1/jwks',
  ])('judges the host the request reaches, not a loopback name in userinfo, query or fragment: %s', (url) => {
    expect(endpointUrlProblem(url)).toBe(notHttps);
  });

  it('accepts a loopback host behind userinfo naming another host: the request goes to loopback', () => {
    expect(endpointUrlProblem('http://evil.example@localhost/jwks')).toBeUndefined();
    expect(endpointUrlProblem('http://127.0.0.1\\@evil.example/jwks')).toBeUndefined();
    expect(new URL('http://127.0.0.1\\@evil.example/jwks').hostname).toBe('127.0.0.1');
  });

  it.each(['ftp://localhost/jwks', 'ws://localhost/jwks', 'wss://idp.example/jwks', 'file:///etc/passwd', 'javascript:alert(1)', 'data:application/json,{}'])(
    'refuses a scheme other than http(s): %s',
    (url) => {
      expect(endpointUrlProblem(url)).toBe(notAbsolute);
    },
  );

  it.each(['', '/jwks', 'jwks.json', 'idp.example/jwks', '//idp.example/jwks', 'https://', 'http://[::1/'])('refuses what is not an absolute URL: %j', (url) => {
    expect(endpointUrlProblem(url)).toBe(notAbsolute);
  });
});

describe('endpointUrlSchema', () => {
  it('passes an acceptable URL through unchanged', () => {
    expect(endpointUrlSchema.parse('http://127.0.0.1:8080/jwks')).toBe('http://127.0.0.1:8080/jwks');
    expect(endpointUrlSchema.parse('https://idp.example/jwks')).toBe('https://idp.example/jwks');
  });

  it('refuses with the reason endpointUrlProblem gives', () => {
    const insecure = endpointUrlSchema.safeParse('http://10.0.0.1/jwks');
    expect(insecure.success).toBe(false);
    expect(insecure.error?.issues).toEqual([expect.objectContaining({ code: 'custom', message: notHttps, path: [] })]);
    expect(endpointUrlSchema.safeParse('/jwks').error?.issues).toEqual([expect.objectContaining({ message: notAbsolute })]);
  });

  it('refuses what is not a string', () => {
    expect(endpointUrlSchema.safeParse(new URL('https://idp.example/jwks')).success).toBe(false);
    expect(endpointUrlSchema.safeParse(undefined).success).toBe(false);
  });
});

describe('discoveryUrlOf', () => {
  const suffix = '/.well-known/openid-configuration';

  it('appends the well-known suffix to an issuer without a path', () => {
    expect(discoveryUrlOf('https://idp.example').href).toBe(`https://idp.example${suffix}`);
    expect(discoveryUrlOf('https://idp.example/').href).toBe(`https://idp.example${suffix}`);
    expect(discoveryUrlOf('http://127.0.0.1:54321').href).toBe(`http://127.0.0.1:54321${suffix}`);
  });

  // OpenID Connect Discovery 1.0 §4: the issuer's path is kept, a terminating "/" removed, then the suffix appended.
  it('keeps the issuer path and removes its terminating slash before the suffix (Discovery §4)', () => {
    expect(discoveryUrlOf('https://example.com/issuer1').href).toBe(`https://example.com/issuer1${suffix}`);
    expect(discoveryUrlOf('https://idp.example/realms/portal/').href).toBe(`https://idp.example/realms/portal${suffix}`);
    expect(discoveryUrlOf('https://login.microsoftonline.com/tid/v2.0').href).toBe(`https://login.microsoftonline.com/tid/v2.0${suffix}`);
    // Entra ID v1: the issuer ends with a slash, the document lives below it.
    expect(discoveryUrlOf('https://sts.windows.net/tid/').href).toBe(`https://sts.windows.net/tid${suffix}`);
  });

  it('returns a URL object', () => {
    const url = discoveryUrlOf('https://idp.example/realms/portal');
    expect(url).toBeInstanceOf(URL);
    expect(url.origin).toBe('https://idp.example');
    expect(url.pathname).toBe(`/realms/portal${suffix}`);
  });

  it('throws on an issuer that is not a URL rather than making one up', () => {
    expect(() => discoveryUrlOf('idp.example')).toThrow(TypeError);
  });
});

describe('providerDocumentDefaults', () => {
  it('fetches at most every 30 s, refreshes after 10 min, within 5 s', () => {
    expect(providerDocumentDefaults).toEqual({ cooldownMs: 30_000, maxAgeMs: 600_000, timeoutMs: 5_000 });
    expect(providerDocumentDefaults.maxAgeMs).toBeGreaterThanOrEqual(providerDocumentDefaults.cooldownMs);
  });
});
