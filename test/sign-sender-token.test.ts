import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { tokenTypeSchema, type ParsedSignedSenderType, type SignedSenderTokenTypeDefinition } from '../src/config/token-type-schema.js';
import { signSenderToken, type SignSenderTokenInput } from '../src/logon/sign-sender-token.js';
import { createSignedSenderVerifier } from '../src/logon/signed-sender-verifier.js';
import { selfSignedCertificate } from './support/keys.js';
import { expectOptionsError } from './support/options-error.js';
import { recordSecret } from './support/secrets.js';

const clock = Date.parse('2026-11-28T12:00:00.750Z');
const iat = Math.floor(clock / 1000);
const pemOf = (key: KeyObject) => recordSecret(key.export({ format: 'pem', type: 'pkcs8' }).toString());
const publicPemOf = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }).toString();

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const mint = async (input: Partial<SignSenderTokenInput> = {}) => recordSecret(await signSenderToken({ privateKey: p256.privateKey, contactId: '1001', now: clock, ...input }));

/** The portal's side: a signed-sender type trusting `keys`, checking on the same clock. */
function verifier(keys: string[], extra: Partial<SignedSenderTokenTypeDefinition> = {}, now = clock) {
  const type = tokenTypeSchema.parse({ kind: 'signed-sender', keys, ...extra }) as ParsedSignedSenderType;
  return createSignedSenderVerifier(type, { now: () => now, requireAudience: false });
}

/** Runs `sign`, which must fail with an OptionsError, and checks its code and path. */
async function expectInputError(sign: Promise<unknown>, expected: Parameters<typeof expectOptionsError>[1]): Promise<void> {
  const thrown: unknown = await sign.then(() => undefined, (error: unknown) => error);
  expectOptionsError(() => {
    throw thrown;
  }, expected);
}

describe('signSenderToken', () => {
  let certificate: { certificate: string; privateKey: string };
  beforeAll(async () => {
    certificate = await selfSignedCertificate({ key: 'ec' });
    recordSecret(certificate.privateKey);
  });

  it('mints a compact JWS with ver, iat, exp, a random jti and the contact', async () => {
    const token = await mint();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT' });
    expect(decodeJwt(token)).toEqual({ ver: '1.0', ContactId: '1001', iat, exp: iat + 60, jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
  });

  it('is accepted by a signed-sender token type that trusts the sender’s certificate', async () => {
    // The certificate is valid from today on: sender and portal run on the real clock here.
    const now = Date.now();
    const token = await mint({ privateKey: certificate.privateKey, contactEmail: 'Alice@Example.com', contactId: undefined, now });
    const verified = await verifier([certificate.certificate], {}, now).verify(token, 'acme');
    expect(verified.identity).toMatchObject({ contactEmail: 'alice@example.com' });
    expect(verified.oneTime).toBeDefined();
  });

  it('is refused by a type that trusts another key', async () => {
    await expect(verifier([publicPemOf(rsa.publicKey)]).verify(await mint(), 'acme')).rejects.toMatchObject({ code: 'signature_invalid' });
  });

  it('sets the lifetime, version and audience it is given', async () => {
    const token = await mint({ lifetimeSeconds: 600, version: '2.0', audience: 'tenant-a' });
    expect(decodeJwt(token)).toMatchObject({ ver: '2.0', exp: iat + 600, aud: 'tenant-a' });
    // The portal's own limits still apply: 600 s is over the default maximum lifetime.
    await expect(verifier([publicPemOf(p256.publicKey)], { version: '2.0' }).verify(token, 'tenant-a')).rejects.toMatchObject({ code: 'token_lifetime' });
  });

  it('takes the time from the sender’s clock, by default the real one', async () => {
    expect(decodeJwt(await mint({ now: clock + 90_000 })).iat).toBe(iat + 90);
    const before = Math.floor(Date.now() / 1000);
    const { iat: issued } = decodeJwt(recordSecret(await signSenderToken({ privateKey: p256.privateKey, contactId: '1001' })));
    expect(issued).toBeGreaterThanOrEqual(before);
    expect(issued).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('gives every token its own jti, so two tokens for one contact are two single-use tokens', async () => {
    const [first, second] = [await mint(), await mint()];
    expect(decodeJwt(first).jti).not.toBe(decodeJwt(second).jti);
    const type = verifier([publicPemOf(p256.publicKey)]);
    const keys = [(await type.verify(first, 'acme')).oneTime?.key, (await type.verify(second, 'acme')).oneTime?.key];
    expect(new Set(keys).size).toBe(2);
  });

  it('keeps a contact with JSON metacharacters inside its own claim', async () => {
    const contactId = '1001","admin":true,"x":"';
    const claims = decodeJwt(await mint({ contactId }));
    expect(claims.ContactId).toBe(contactId);
    expect(claims).not.toHaveProperty('admin');
  });

  it.each([
    ['an RSA key', rsa.privateKey, 'RS256'],
    ['a P-256 key', p256.privateKey, 'ES256'],
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, 'ES384'],
    ['a P-521 key', generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey, 'ES512'],
    ['an Ed25519 key', generateKeyPairSync('ed25519').privateKey, 'EdDSA'],
  ])('signs with %s as %s, given as PEM or as KeyObject', async (_, key, algorithm) => {
    const publicKey = createPublicKey(key);
    for (const privateKey of [pemOf(key), key]) {
      const token = await mint({ privateKey });
      expect(decodeProtectedHeader(token).alg).toBe(algorithm);
      await expect(compactVerify(token, publicKey, { algorithms: [algorithm] })).resolves.toBeDefined();
    }
  });

  it('signs with the algorithm asked for when the key fits it', async () => {
    const token = await mint({ privateKey: pemOf(rsa.privateKey), algorithm: 'PS384' });
    expect(decodeProtectedHeader(token).alg).toBe('PS384');
    await expect(compactVerify(token, rsa.publicKey, { algorithms: ['PS384'] })).resolves.toBeDefined();
  });

  it('never signs with none, with HMAC, or with an algorithm the key does not fit', async () => {
    for (const privateKey of [pemOf(rsa.privateKey), rsa.privateKey]) {
      for (const algorithm of ['none', 'HS256', 'ES256']) {
        await expect(signSenderToken({ privateKey, contactId: '1001', algorithm: algorithm as never })).rejects.toThrow();
      }
    }
  });

  it('needs a contact, and an audience that is a tenant name', async () => {
    await expectInputError(signSenderToken({ privateKey: p256.privateKey }), { code: 'LWT_MISSING_OPTION', path: 'contactId' });
    await expectInputError(mint({ audience: '' }), { code: 'LWT_INVALID_OPTION', path: 'audience' });
    await expectInputError(mint({ audience: 42 as never }), { code: 'LWT_INVALID_OPTION', path: 'audience' });
  });
});

describe('signSenderToken and unusable keys', () => {
  it('answers a key that cannot sign with an OptionsError at privateKey', async () => {
    const ed448 = generateKeyPairSync('ed448').privateKey;
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const input of [
      { privateKey: ed448 },
      { privateKey: pss },
      { privateKey: ec.privateKey, algorithm: 'RS256' as const },
      { privateKey: ec.publicKey },
      { privateKey: recordSecret('-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----') },
    ]) {
      const error = await signSenderToken({ ...input, contactEmail: 'alice@example.com' }).then(() => undefined, (caught: unknown) => caught);
      expectOptionsError(() => {
        throw error;
      }, { code: 'LWT_INVALID_OPTION', path: 'privateKey' });
    }
  });
});

describe('signSenderToken input', () => {
  it('checks its input like the factory checks options, naming the field', async () => {
    const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const failure = async (input: unknown) => signSenderToken(input as SignSenderTokenInput).then(() => undefined, (caught: unknown) => caught);
    const cases: [unknown, 'LWT_INVALID_OPTION' | 'LWT_UNKNOWN_OPTION' | 'LWT_MISSING_OPTION', string][] = [
      [{ privateKey, contactEmail: 'alice@example.com', lifetimeSeconds: -5 }, 'LWT_INVALID_OPTION', 'lifetimeSeconds'],
      [{ privateKey, contactEmail: 'alice@example.com', lifetimeSeconds: Number.NaN }, 'LWT_INVALID_OPTION', 'lifetimeSeconds'],
      [{ privateKey, contactEmail: 'alice@example.com', lifetime: 60 }, 'LWT_UNKNOWN_OPTION', 'lifetime'],
      [{ contactEmail: 'alice@example.com' }, 'LWT_MISSING_OPTION', 'privateKey'],
      [{ privateKey }, 'LWT_MISSING_OPTION', 'contactId'],
      [{ privateKey, contactEmail: 'alice@example.com', audience: '' }, 'LWT_INVALID_OPTION', 'audience'],
    ];
    for (const [input, code, path] of cases) {
      const error = await failure(input);
      expectOptionsError(() => {
        throw error;
      }, { code, path });
    }
  });
});
