import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwksHostProblems } from '../src/config/jwks-hosts.js';
import { tokenTypeSchema, type ParsedTokenType } from '../src/config/token-type-schema.js';

const publicPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();

const jwt = (jwksUrl?: string): ParsedTokenType =>
  tokenTypeSchema.parse({ kind: 'jwt', issuer: 'https://idp.example/', audience: 'portal', ...(jwksUrl === undefined ? { keys: [publicPem] } : { jwksUrl }) });

describe('jwksHostProblems', () => {
  it('reports a JWT profile whose JWKS host is off http.allowedHosts, at its jwksUrl', () => {
    const types = { entra: jwt('https://login.attacker.example/keys'), okta: jwt('https://sso.idp.example/keys') };
    expect(jwksHostProblems(types, ['*.idp.example'])).toEqual([{ path: ['entra', 'jwksUrl'], message: 'host is not on http.allowedHosts (*.idp.example)' }]);
  });

  it('refuses a look-alike JWKS host', () => {
    expect(jwksHostProblems({ entra: jwt('https://idp.example.attacker.example/keys') }, ['idp.example'])).toHaveLength(1);
  });

  it('finds nothing when http.allowedHosts is not set', () => {
    expect(jwksHostProblems({ entra: jwt('https://anywhere.example/keys') }, undefined)).toEqual([]);
  });

  it('leaves out profiles with static keys only, and other kinds of token types', () => {
    const types = {
      pinned: jwt(),
      api: tokenTypeSchema.parse({ kind: 'apitoken' }),
      sender: tokenTypeSchema.parse({ kind: 'signed-sender', keys: [publicPem] }),
    };
    expect(jwksHostProblems(types, [])).toEqual([]);
  });
});
