import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { senderKeyTenants, sharedSenderKeyProblems } from '../src/config/shared-sender-keys.js';
import { tokenTypeSchema, type ParsedTokenType } from '../src/config/token-type-schema.js';
import { selfSignedCertificate } from './support/keys.js';
import { recordSecret } from './support/secrets.js';

type Types = Record<string, ParsedTokenType>;

const signedSender = (keys: (string | Record<string, unknown>)[], requireAudience?: boolean): ParsedTokenType =>
  tokenTypeSchema.parse({ kind: 'signed-sender', keys, ...(requireAudience === undefined ? {} : { requireAudience }) });

const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();

/** One sender key as a certificate, a PEM public key and a public JWK. */
let same: { certificate: string; pem: string; jwk: Record<string, unknown> };
let other: string;

beforeAll(async () => {
  const { certificate, privateKey } = await selfSignedCertificate({ key: 'ec' });
  recordSecret(privateKey);
  const publicKey = createPublicKey(privateKey);
  same = { certificate, pem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), jwk: publicKey.export({ format: 'jwk' }) };
  other = pem();
});

describe('senderKeyTenants', () => {
  it('counts a type of logon.tokenTypes for every tenant', () => {
    const tenantsOf = senderKeyTenants({ InfoShareToken: signedSender([same.pem]) }, {}, ['tenant-a', 'tenant-b']);
    expect(tenantsOf(undefined, 'InfoShareToken')).toEqual(['tenant-a', 'tenant-b']);
  });

  it('counts one key as one, whether written as certificate, PEM or JWK', () => {
    const byTenant: Record<string, Types> = {
      'tenant-a': { Partner: signedSender([same.certificate]) },
      'tenant-b': { Other: signedSender([same.jwk]) },
      'tenant-c': { Partner: signedSender([other]) },
    };
    const tenantsOf = senderKeyTenants({}, byTenant, Object.keys(byTenant));
    expect(tenantsOf('tenant-a', 'Partner')).toEqual(['tenant-a', 'tenant-b']);
    expect(tenantsOf('tenant-b', 'Other')).toEqual(['tenant-a', 'tenant-b']);
    expect(tenantsOf('tenant-c', 'Partner')).toEqual(['tenant-c']);
  });

  it('counts a default type only for the tenants that do not override it', () => {
    const tenantsOf = senderKeyTenants({ InfoShareToken: signedSender([same.pem]) }, { 'tenant-b': { InfoShareToken: signedSender([other]) } }, ['tenant-a', 'tenant-b']);
    expect(tenantsOf(undefined, 'InfoShareToken')).toEqual(['tenant-a']);
    expect(tenantsOf('tenant-b', 'InfoShareToken')).toEqual(['tenant-b']);
  });

  it('serves no named tenant with the single implicit one', () => {
    expect(senderKeyTenants({ InfoShareToken: signedSender([same.pem]) }, {}, [])(undefined, 'InfoShareToken')).toEqual([]);
  });

  it('serves no tenant for an unknown type or one of another kind', () => {
    const tenantsOf = senderKeyTenants({ api: tokenTypeSchema.parse({ kind: 'apitoken' }) }, {}, ['tenant-a', 'tenant-b']);
    expect(tenantsOf(undefined, 'api')).toEqual([]);
    expect(tenantsOf(undefined, 'missing')).toEqual([]);
    expect(tenantsOf('nowhere', 'api')).toEqual([]);
  });
});

describe('sharedSenderKeyProblems', () => {
  it('refuses requireAudience: false on a type of logon.tokenTypes with two tenants', () => {
    expect(sharedSenderKeyProblems({ InfoShareToken: signedSender([same.pem], false) }, {}, ['tenant-a', 'tenant-b'])).toEqual([
      { path: ['logon', 'tokenTypes', 'InfoShareToken', 'requireAudience'], message: expect.stringContaining('tenant-a, tenant-b') },
    ]);
  });

  it('refuses requireAudience: false where another tenant trusts the same key under another name and format', () => {
    const byTenant: Record<string, Types> = {
      'tenant-a': { Partner: signedSender([same.certificate], false) },
      'tenant-b': { Other: signedSender([same.jwk]) },
    };
    expect(sharedSenderKeyProblems({}, byTenant, ['tenant-a', 'tenant-b'])).toEqual([
      { path: ['tenants', 'tenant-a', 'tokenTypes', 'Partner', 'requireAudience'], message: expect.stringContaining('tenant-a, tenant-b') },
    ]);
  });

  it('accepts requireAudience: false where the keys serve one tenant', () => {
    expect(sharedSenderKeyProblems({ InfoShareToken: signedSender([same.pem], false) }, {}, ['only'])).toEqual([]);
    const byTenant: Record<string, Types> = { 'tenant-a': { Partner: signedSender([same.pem], false) }, 'tenant-b': { Partner: signedSender([other], false) } };
    expect(sharedSenderKeyProblems({}, byTenant, ['tenant-a', 'tenant-b'])).toEqual([]);
  });

  it('leaves shared keys alone when the audience is required or left to its default', () => {
    expect(sharedSenderKeyProblems({ A: signedSender([same.pem], true), B: signedSender([same.jwk]) }, {}, ['tenant-a', 'tenant-b'])).toEqual([]);
  });
});
