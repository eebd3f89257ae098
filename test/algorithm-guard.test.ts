import { createHmac } from 'node:crypto';
import { SignJWT, base64url } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoginError } from '../src/errors/login-error.js';
import { requireAllowedAlgorithm } from '../src/logon/algorithm-guard.js';
import { rsaKeys, type RsaKeys } from './support/keys.js';
import { recordSecret } from './support/secrets.js';

const allowed: ReadonlySet<string> = new Set(['RS256', 'ES256']);
const notAJws = new LoginError('signature_invalid', { reason: 'not a compact JWS' });
const malformed = () => notAJws;

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
const payload = encode({ iss: 'https://sts.example/', sub: 'alice', exp: 4_000_000_000 });
/** A token with `header`, signed with `secret` over HMAC-SHA256 (or not at all). */
const forged = (header: Record<string, unknown>, secret?: string) => {
  const input = `${encode(header)}.${payload}`;
  return recordSecret(`${input}.${secret === undefined ? '' : createHmac('sha256', secret).update(input).digest('base64url')}`);
};

function failure(token: string): LoginError {
  let thrown: unknown;
  try {
    requireAllowedAlgorithm(token, allowed, malformed);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(LoginError);
  return thrown as LoginError;
}

let keys: RsaKeys;
beforeAll(() => {
  keys = rsaKeys();
});

describe('requireAllowedAlgorithm', () => {
  it('lets a token through whose alg is on the list', async () => {
    const token = recordSecret(await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'RS256', kid: keys.kid }).sign(keys.privateKey));
    expect(() => requireAllowedAlgorithm(token, allowed, malformed)).not.toThrow();
  });

  it('refuses alg "none" with 10064, whatever its case', () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const error = failure(forged({ alg, typ: 'JWT' }));
      expect([error.code, error.number, error.status]).toEqual(['hash_algorithm', 10064, 401]);
    }
  });

  it('refuses HS256 signed with the public key as the HMAC secret', () => {
    // The key-confusion attack: a verifier that trusted alg would check this HMAC with the PEM.
    expect(failure(forged({ alg: 'HS256', kid: keys.kid }, keys.publicPem)).code).toBe('hash_algorithm');
    expect(failure(forged({ alg: 'HS256', kid: keys.kid }, JSON.stringify(keys.jwk))).code).toBe('hash_algorithm');
  });

  it.each([
    ['a lower-case spelling', 'rs256'],
    ['trailing white space', 'RS256 '],
    ['a NUL inside', 'RS256\u0000'],
    ['an allowed alg that is not on this list', 'PS256'],
    ['an empty string', ''],
    ['a number', 256],
    ['null', null],
    ['an array', ['RS256']],
    ['an object', { toString: 'RS256' }],
    ['a prototype member name', '__proto__'],
    ['a prototype member name', 'constructor'],
  ])('refuses an alg that is %s: %j', (_, alg) => {
    expect(failure(forged({ alg })).code).toBe('hash_algorithm');
  });

  it('refuses a header without alg', () => {
    expect(failure(forged({ typ: 'JWT', kid: keys.kid })).code).toBe('hash_algorithm');
  });

  it('puts only a short alphanumeric form of the alg into the audit reason', () => {
    const hostile = failure(forged({ alg: 'RS256\r\nX-Injected: 1<script>alert(1)</script>'.padEnd(300, 'A') }));
    expect(hostile.reason).toBe('algorithm RS256XInjected1scrip is not allowed');
    expect(failure(forged({ alg: '\r\n' })).reason).toBe('algorithm (empty) is not allowed');
    expect(failure(forged({ alg: 7 })).reason).toBe('algorithm (number) is not allowed');
    expect(failure(forged({})).reason).toBe('algorithm (undefined) is not allowed');
  });

  it.each([
    ['an empty string', ''],
    ['an opaque token', 'lwts_not-a-jwt'],
    ['a header that is not base64url JSON', `not-json.${payload}.sig`],
    ['a header that is JSON but not an object', `${encode(['RS256'])}.${payload}.sig`],
  ])('throws the caller’s malformed error for %s', (_, token) => {
    expect(failure(recordSecret(token))).toBe(notAJws);
  });
});
