import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { startIdentityProvider, type TestIdentityProvider } from './support/oidc-provider.js';

// The identity provider the introspection and JWT access-token tests rely on: a real oidc-provider.
describe('test identity provider', () => {
  let idp: TestIdentityProvider;

  beforeAll(async () => {
    idp = await startIdentityProvider({ accessTokenTtlSeconds: 120, subjectOf: { 'service-b': 'user-42' } });
  });
  afterAll(async () => {
    await idp?.close();
  });

  /** Introspects `token` as the portal client, its credentials sent as `method`. */
  async function introspectAs(method: 'basic' | 'post', token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const { clientId, clientSecret } = idp.introspectionClient;
    const form = new URLSearchParams({ token });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (method === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    const response = await fetch(`${idp.issuer}/token/introspection`, { method: 'POST', headers, body: form });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('serves a discovery document with its issuer, jwks_uri and introspection_endpoint', async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const before = idp.requestCount('/.well-known/openid-configuration');
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const discovery = (await response.json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: idp.issuer,
      jwks_uri: `${idp.issuer}/jwks`,
      introspection_endpoint: `${idp.issuer}/token/introspection`,
      revocation_endpoint: `${idp.issuer}/token/revocation`,
      token_endpoint: `${idp.issuer}/token`,
    });
    expect(idp.requestCount('/.well-known/openid-configuration')).toBe(before + 1);
  });

  it('issues opaque tokens that introspect as active with sub, scope, exp and iat', async () => {
    const { accessToken, expiresIn } = await idp.opaqueToken({ scope: 'read write' });
    expect(accessToken.includes('.')).toBe(false);
    expect(expiresIn).toBe(120);
    const answer = await idp.introspect(accessToken);
    expect(answer).toMatchObject({ active: true, sub: 'service-a', scope: 'read write', client_id: 'service-a', iss: idp.issuer, token_type: 'Bearer' });
    expect(answer.exp).toBe((answer.iat as number) + 120);
    expect(answer.aud).toBeUndefined();
  });

  it('lets the portal client introspect with client_secret_basic and client_secret_post alike, and counts it', async () => {
    const { accessToken } = await idp.opaqueToken({ clientId: 'service-b', scope: 'admin' });
    const before = idp.requestCount('/token/introspection');
    for (const method of ['basic', 'post'] as const) {
      const { status, body } = await introspectAs(method, accessToken);
      expect(status).toBe(200);
      expect(body).toMatchObject({ active: true, sub: 'user-42', scope: 'admin', client_id: 'service-b' });
    }
    expect(idp.requestCount('/token/introspection')).toBe(before + 2);
  });

  it('answers active: false for unknown tokens and 401 for a wrong client secret', async () => {
    expect(await idp.introspect('no-such-token-at-all')).toEqual({ active: false });
    const response = await fetch(`${idp.issuer}/token/introspection`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'whatever', client_id: 'portal', client_secret: 'not-the-secret' }),
    });
    expect(response.status).toBe(401);
  });

  it('issues RS256 JWT access tokens for the resource, verifiable with its JWKS', async () => {
    const { accessToken, expiresIn } = await idp.jwtToken({ scope: 'read admin', clientId: 'service-b' });
    expect(accessToken.split('.').length).toBe(3);
    expect(expiresIn).toBe(120);
    const header = decodeProtectedHeader(accessToken);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const payload = decodeJwt(accessToken);
    expect(payload).toMatchObject({ iss: idp.issuer, aud: idp.resource, scope: 'read admin', sub: 'user-42', client_id: 'service-b' });
    expect(payload.exp).toBe((payload.iat as number) + 120);

    const before = idp.requestCount('/jwks');
    const { keys } = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: JWK[] };
    expect(idp.requestCount('/jwks')).toBe(before + 1);
    const jwk = keys.find((key) => key.kid === header.kid);
    expect(jwk).toBeDefined();
    expect(jwk).not.toHaveProperty('d');
    const verified = await jwtVerify(accessToken, await importJWK(jwk!, 'RS256'), { issuer: idp.issuer, audience: idp.resource });
    expect(verified.payload.sub).toBe('user-42');
  });

  it('gives JWTs the client id as sub by default and opaque tokens without a scope none', async () => {
    expect(decodeJwt((await idp.jwtToken()).accessToken)).toMatchObject({ sub: 'service-a', scope: 'read' });
    const answer = await idp.introspect((await idp.opaqueToken({ scope: '' })).accessToken);
    expect(answer).toMatchObject({ active: true, sub: 'service-a' });
    expect(answer).not.toHaveProperty('scope');
  });

  it('refuses to introspect or revoke JWT access tokens (oidc-provider answers unsupported_token_type)', async () => {
    const { accessToken } = await idp.jwtToken();
    await expect(idp.introspect(accessToken)).rejects.toThrow(/HTTP 400 unsupported_token_type/);
    await expect(idp.revoke(accessToken)).rejects.toThrow(/HTTP 400 unsupported_token_type/);
  });

  it('revokes opaque tokens', async () => {
    const { accessToken } = await idp.opaqueToken({ clientId: 'service-b' });
    expect(await idp.introspect(accessToken)).toMatchObject({ active: true });
    await idp.revoke(accessToken);
    expect(await idp.introspect(accessToken)).toEqual({ active: false });
  });

  it('stops and restarts on the same port, keeping issued tokens', async () => {
    const { accessToken } = await idp.opaqueToken();
    const issuer = idp.issuer;
    await idp.stop();
    await expect(fetch(`${issuer}/.well-known/openid-configuration`)).rejects.toThrow();
    await idp.restart();
    expect(idp.issuer).toBe(issuer);
    const response = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(await idp.introspect(accessToken)).toMatchObject({ active: true });
  });

  it('starts separate providers with separate keys and clients', async () => {
    const other = await startIdentityProvider();
    try {
      expect(other.issuer).not.toBe(idp.issuer);
      expect(other.introspectionClient.clientSecret).not.toBe(idp.introspectionClient.clientSecret);
      const { accessToken, expiresIn } = await other.opaqueToken();
      expect(expiresIn).toBe(300);
      expect(await idp.introspect(accessToken)).toEqual({ active: false });
    } finally {
      await other.close();
    }
  });
});
