import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, base64url, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AsymmetricAlgorithm } from '../src/config/token-type-schema.js';
import { ConnectionJwt } from '../src/logon/connection-jwt.js';
import { connectionJwtOptionsSchema, type ConnectionJwtOptions } from '../src/logon/connection-jwt-options.js';
import { recordSecret } from './support/secrets.js';

const start = Date.parse('2026-11-28T12:00:00.250Z');
let clock = start;
const now = () => clock;
const claims = { sid: 'c0nnect10n-hash', tenant: 'acme', userId: 'u-1' };
const connectionEnd = () => clock + 12 * 3600_000;

const instance = (options: ConnectionJwtOptions = {}) => new ConnectionJwt(connectionJwtOptionsSchema.parse(options), now);
const pemOf = (key: KeyObject) => recordSecret(key.export({ format: 'pem', type: 'pkcs8' }).toString());
const signed = async (jwt: ConnectionJwt, expiresAt = connectionEnd()) => recordSecret(await jwt.sign(claims, expiresAt));
const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
const parts = (token: string) => token.split('.') as [string, string, string];

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

beforeEach(() => {
  clock = start;
});

describe('ConnectionJwt', () => {
  describe('sign and verify', () => {
    it('signs a JWT bound to the connection, and reads its claims back', async () => {
      const jwt = instance();
      const token = await signed(jwt);
      expect(await jwt.verify(token)).toEqual(claims);
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: expect.stringMatching(/^lwt-[A-Za-z0-9_-]{16}$/), typ: 'JWT' });
      const iat = Math.floor(clock / 1000);
      expect(decodeJwt(token)).toEqual({ sid: claims.sid, tid: 'acme', iss: 'login-with-token', sub: 'u-1', iat, exp: iat + 300 });
    });

    it('publishes a public JWK, without private parts, that any JOSE library verifies its JWTs with', async () => {
      const jwt = instance({ privateKey: pemOf(p256), keyId: 'portal-1' });
      const jwk = jwt.publicJwk();
      expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'portal-1', alg: 'ES256', use: 'sig' });
      expect(jwk).not.toHaveProperty('d');
      const { payload } = await jwtVerify(await signed(jwt), createLocalJWKSet({ keys: [jwk] }), { issuer: 'login-with-token', currentDate: new Date(clock) });
      expect(payload.sub).toBe('u-1');
    });

    it('expires after ttlSeconds', async () => {
      const jwt = instance({ ttlSeconds: 60 });
      const token = await signed(jwt);
      const exp = decodeJwt(token).exp! * 1000;
      clock = exp - 1;
      expect(await jwt.verify(token)).toEqual(claims);
      clock = exp;
      expect(await jwt.verify(token)).toBeUndefined();
    });

    it('never expires after the connection it is bound to', async () => {
      const jwt = instance({ ttlSeconds: 3600 });
      const ends = clock + 10_500;
      const token = await signed(jwt, ends);
      expect(decodeJwt(token).exp).toBe(Math.floor(ends / 1000));
      clock = ends;
      expect(await jwt.verify(token)).toBeUndefined();
      // A connection already over yields a JWT that is dead on arrival.
      expect(await jwt.verify(await signed(jwt, clock - 1000))).toBeUndefined();
    });

    it('refuses a JWT whose payload or header was changed after signing', async () => {
      const jwt = instance();
      const [header, payload, signature] = parts(await signed(jwt));
      const other = parts(recordSecret(await jwt.sign({ ...claims, userId: 'admin' }, connectionEnd())));
      const escalated = { ...decodeJwt(`${header}.${payload}.${signature}`), sub: 'admin', tid: 'globex' };
      for (const tampered of [
        `${header}.${encode(escalated)}.${signature}`,
        `${header}.${other[1]}.${signature}`,
        `${header}.${payload}.${other[2]}`,
        `${encode({ ...decodeProtectedHeader(`${header}.${payload}.${signature}`), kid: 'other' })}.${payload}.${signature}`,
        `${header}.${payload}.`,
      ]) {
        expect(await jwt.verify(recordSecret(tampered))).toBeUndefined();
      }
    });

    it('refuses alg none and HS256 with its own public key as the secret', async () => {
      const jwt = instance();
      const { kid } = decodeProtectedHeader(await signed(jwt));
      const iat = Math.floor(clock / 1000);
      const payload = encode({ sid: claims.sid, tid: 'acme', iss: 'login-with-token', sub: 'admin', iat, exp: iat + 300 });
      const unsigned = `${encode({ alg: 'none', kid, typ: 'JWT' })}.${payload}.`;
      const hsHeader = encode({ alg: 'HS256', kid, typ: 'JWT' });
      const asSecret = JSON.stringify(jwt.publicJwk());
      const hmac = `${hsHeader}.${payload}.${createHmac('sha256', asSecret).update(`${hsHeader}.${payload}`).digest('base64url')}`;
      expect(await jwt.verify(recordSecret(unsigned))).toBeUndefined();
      expect(await jwt.verify(recordSecret(hmac))).toBeUndefined();
    });

    it('refuses a JWT of its own key that lacks a claim it binds, or has one of the wrong type', async () => {
      const jwt = instance({ privateKey: pemOf(p256) });
      const { kid } = decodeProtectedHeader(await signed(jwt));
      const iat = Math.floor(clock / 1000);
      const own = (payload: Record<string, unknown>) =>
        new SignJWT({ iss: 'login-with-token', iat, exp: iat + 60, ...payload }).setProtectedHeader({ alg: 'ES256', kid: kid! }).sign(p256);
      expect(await jwt.verify(recordSecret(await own({ sid: 's', tid: 'acme', sub: 'u-1' })))).toEqual({ sid: 's', tenant: 'acme', userId: 'u-1' });
      for (const payload of [{ tid: 'acme', sub: 'u-1' }, { sid: 's', sub: 'u-1' }, { sid: 's', tid: 'acme' }, { sid: 7, tid: 'acme', sub: 'u-1' }, { sid: 's', tid: ['acme'], sub: 'u-1' }]) {
        expect(await jwt.verify(recordSecret(await own(payload)))).toBeUndefined();
      }
      const withoutExp = await new SignJWT({ iss: 'login-with-token', sid: 's', tid: 'acme', sub: 'u-1' }).setProtectedHeader({ alg: 'ES256', kid: kid! }).sign(p256);
      expect(await jwt.verify(recordSecret(withoutExp))).toBeUndefined();
    });

    it('refuses a JWT of another issuer, even under the same key', async () => {
      const privateKey = pemOf(p256);
      const theirs = await signed(instance({ privateKey, issuer: 'https://partner.example/' }));
      expect(await instance({ privateKey, issuer: 'https://portal.example/' }).verify(theirs)).toBeUndefined();
    });

    it('shares its key id and its JWTs with another instance holding the same key', async () => {
      const privateKey = pemOf(p256);
      const [first, second] = [instance({ privateKey }), instance({ privateKey })];
      const token = await signed(first);
      expect(second.publicJwk().kid).toBe(first.publicJwk().kid);
      expect(second.recognise(token)).toBe('current-key');
      expect(await second.verify(token)).toEqual(claims);
    });
  });

  describe('recognise', () => {
    it('says current-key for its own JWTs and other-key for our issuer under another key', async () => {
      const ours = instance();
      const sibling = instance();
      const fromSibling = await signed(sibling);
      expect(ours.recognise(await signed(ours))).toBe('current-key');
      expect(ours.recognise(fromSibling)).toBe('other-key');
      expect(await ours.verify(fromSibling)).toBeUndefined();
    });

    it('leaves JWTs of other issuers, and strings that are no JWS, to somebody else', async () => {
      const ours = instance();
      expect(ours.recognise(await signed(instance({ issuer: 'https://idp.example/' })))).toBeUndefined();
      for (const token of ['', '6bc655a4-c079-4535-a733-f259e3232a3a', 'lwts_abc', 'a.b', 'a.b.c.d.e', 'not json.at all.x', `${encode('text')}.${encode([1])}.sig`, 'a.b.c\n']) {
        expect(ours.recognise(token)).toBeUndefined();
      }
    });

    it('goes by the header alone: a forgery naming our key id is recognised, and verify refuses it', async () => {
      const ours = instance();
      const { kid } = decodeProtectedHeader(await signed(ours));
      const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const iat = Math.floor(clock / 1000);
      const forged = recordSecret(
        await new SignJWT({ sid: claims.sid, tid: 'acme', iss: 'login-with-token', sub: 'admin', iat, exp: iat + 60 })
          .setProtectedHeader({ alg: 'ES256', kid: kid!, typ: 'JWT' })
          .sign(attacker),
      );
      expect(ours.recognise(forged)).toBe('current-key');
      expect(await ours.verify(forged)).toBeUndefined();
    });
  });

  describe('algorithms', () => {
    const ed25519 = generateKeyPairSync('ed25519').privateKey;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey;
    const cases: [AsymmetricAlgorithm, KeyObject, string][] = [
      ['RS256', rsa, 'RSA'],
      ['RS384', rsa, 'RSA'],
      ['RS512', rsa, 'RSA'],
      ['PS256', rsa, 'RSA'],
      ['PS384', rsa, 'RSA'],
      ['PS512', rsa, 'RSA'],
      ['ES256', p256, 'EC'],
      ['ES384', p384, 'EC'],
      ['ES512', p521, 'EC'],
      ['EdDSA', ed25519, 'OKP'],
    ];

    it.each(cases)('signs %s so that it and an independent verifier accept the JWT', async (algorithm, key, kty) => {
      const jwt = instance({ algorithm, privateKey: pemOf(key) });
      const token = await signed(jwt);
      expect(decodeProtectedHeader(token).alg).toBe(algorithm);
      expect(await jwt.verify(token)).toEqual(claims);
      const jwk = jwt.publicJwk();
      expect(jwk).toMatchObject({ kty, alg: algorithm });
      await expect(jwtVerify(token, createLocalJWKSet({ keys: [jwk] }), { algorithms: [algorithm], currentDate: new Date(clock) })).resolves.toBeDefined();
    });
  });
});
