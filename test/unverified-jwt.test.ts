import { describe, expect, it } from 'vitest';
import { readUnverifiedJwt } from '../src/crypto/unverified-jwt.js';

const part = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const jws = (header: unknown, payload: unknown, signature = 'c2ln') => `${part(header)}.${part(payload)}.${signature}`;

describe('readUnverifiedJwt', () => {
  it('reads the header and claims of a compact JWS without checking its signature', () => {
    const token = jws({ alg: 'RS256', kid: 'k1' }, { iss: 'https://idp.example/', sub: '1001' }, 'not-a-signature');
    expect(readUnverifiedJwt(token)).toEqual({ header: { alg: 'RS256', kid: 'k1' }, claims: { iss: 'https://idp.example/', sub: '1001' } });
  });

  it('gives a header without claims when the payload is no JSON object', () => {
    for (const payload of ['plain text', [1, 2], 42, null]) expect(readUnverifiedJwt(jws({ alg: 'ES256' }, payload))).toEqual({ header: { alg: 'ES256' }, claims: undefined });
  });

  it('is undefined for anything but three parts with a JSON object header', () => {
    const payload = part({ iss: 'x' });
    for (const token of ['', 'opaque', `${part({ alg: 'RS256' })}.${payload}`, `${part({ alg: 'RS256' })}.${payload}.s.extra`, `.${payload}.s`, `${part('[1]')}.${payload}.s`, `${part('{no json')}.${payload}.s`, 'a.b.c']) {
      expect(readUnverifiedJwt(token), token).toBeUndefined();
    }
  });

  it('hands out what it read frozen, so no caller can change what the next one is told', () => {
    const read = readUnverifiedJwt(jws({ alg: 'RS256' }, { iss: 'https://idp.example/' }))!;
    expect(Object.isFrozen(read) && Object.isFrozen(read.header) && Object.isFrozen(read.claims)).toBe(true);
    expect(() => ((read.claims as Record<string, unknown>)['iss'] = 'https://attacker.example/')).toThrow(TypeError);
  });

  it('answers for the token it is asked about when tokens alternate', () => {
    const first = jws({ alg: 'RS256' }, { iss: 'https://a.example/' });
    const second = jws({ alg: 'RS256' }, { iss: 'https://b.example/' });
    expect(readUnverifiedJwt(first)?.claims?.['iss']).toBe('https://a.example/');
    expect(readUnverifiedJwt(first)).toBe(readUnverifiedJwt(first));
    expect(readUnverifiedJwt(second)?.claims?.['iss']).toBe('https://b.example/');
    expect(readUnverifiedJwt('opaque')).toBeUndefined();
    expect(readUnverifiedJwt(first)?.claims?.['iss']).toBe('https://a.example/');
  });
});
