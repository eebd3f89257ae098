import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiTokens } from '../src/api-tokens/api-tokens.js';
import { tokenTypeSchema, type ParsedTokenType } from '../src/config/token-type-schema.js';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import type { LoginError } from '../src/errors/login-error.js';
import { signSenderToken } from '../src/logon/sign-sender-token.js';
import { TokenTypeRegistry } from '../src/logon/token-type-registry.js';
import { TenantResolver, unknownTenant } from '../src/request/tenant-resolver.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { rsaKeys, type RsaKeys } from './support/keys.js';
import { partnerPool } from './support/partner-pool.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { recordSecret } from './support/secrets.js';

type Types = Record<string, ParsedTokenType>;

const profileId = 'BE38C39F-E32F-4EF3-AAA6-D5331624D4A6';
const issuer = 'https://sts.example/';
const audience = 'https://portal.example';

let clock: number;
let store: MemoryStore;
let partners: PartnerDispatcher[] = [];
let idp: RsaKeys;
let jwks: PartnerServer;
const senderA = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const senderB = generateKeyPairSync('ec', { namedCurve: 'P-256' });

beforeAll(async () => {
  idp = rsaKeys();
  jwks = await startPartnerServer((received, res) => (received.url === '/keys' ? json(res, 200, { keys: [idp.jwk] }) : json(res, 404, {})));
});
afterAll(() => jwks.close());
beforeEach(() => {
  clock = Date.now();
  store = new MemoryStore({ now: () => clock });
  jwks.received.length = 0;
});
afterEach(async () => {
  await store.close();
  await Promise.all(partners.map((partner) => partner.close()));
  partners = [];
});

const type = (definition: Record<string, unknown>) => tokenTypeSchema.parse(definition);
const signedSender = (key: KeyObject, extra: Record<string, unknown> = {}) =>
  type({ kind: 'signed-sender', keys: [key.export({ format: 'pem', type: 'spki' }).toString()], ...extra });
const jwtProfile = () => type({ kind: 'jwt', issuer, audience, jwksUrl: `${jwks.origin}/keys` });

/** A registry over `tenants`; JWKS fetches go out under `http` (loopback allowed unless told otherwise). */
function registry(tenants: string[], defaults: Types, byTenant: Record<string, Types> = {}, http = { allowPrivateAddresses: ['127.0.0.0/8'] }) {
  const partner = partnerPool(http);
  partners.push(partner);
  const options = { logon: { tokenTypes: defaults }, tenants: Object.fromEntries(Object.entries(byTenant).map(([tenant, tokenTypes]) => [tenant, { tokenTypes }])) };
  return new TokenTypeRegistry(tenants, options, { apiTokens: store.apiTokens, now: () => clock, dispatcher: partner.dispatcher });
}

const senderToken = async (key: KeyObject, extra: { audience?: string; now?: number } = {}) =>
  recordSecret(await signSenderToken({ privateKey: key, contactId: '1001', now: extra.now ?? clock, ...(extra.audience === undefined ? {} : { audience: extra.audience }) }));

/** 'accepted', or the code the verifier of `tokenType` at `tenant` refused `token` with. */
async function outcome(types: TokenTypeRegistry, tenant: string, tokenType: string, token: string): Promise<string> {
  const verifier = types.resolve(tenant, tokenType);
  if (verifier === undefined) return 'no such type';
  return verifier.verify(token, tenant).then(() => 'accepted', (error: unknown) => (error as LoginError).code);
}

describe('TokenTypeRegistry', () => {
  describe('resolve', () => {
    it('gives every tenant the types of logon.tokenTypes, one verifier shared by all', () => {
      const types = registry(['acme', 'globex'], { apitoken: type({ kind: 'apitoken' }) });
      expect(types.resolve('acme', 'apitoken')).toBeDefined();
      expect(types.resolve('acme', 'apitoken')).toBe(types.resolve('globex', 'apitoken'));
    });

    it('lets a tenant’s own type replace a default of the same name, for that tenant only', async () => {
      const types = registry(['acme', 'globex'], { InfoShareToken: signedSender(senderA.publicKey) }, { globex: { InfoShareToken: signedSender(senderB.publicKey) } });
      const [fromA, fromB] = [await senderToken(senderA.privateKey), await senderToken(senderB.privateKey)];
      expect(await outcome(types, 'acme', 'InfoShareToken', fromA)).toBe('accepted');
      expect(await outcome(types, 'globex', 'InfoShareToken', fromA)).toBe('signature_invalid');
      expect(await outcome(types, 'globex', 'InfoShareToken', fromB)).toBe('accepted');
      expect(await outcome(types, 'acme', 'InfoShareToken', fromB)).toBe('signature_invalid');
    });

    it('keeps a tenant’s own types from every other tenant', () => {
      const types = registry(['acme', 'globex'], {}, { acme: { partnerx: type({ kind: 'apitoken' }) } });
      expect(types.resolve('acme', 'partnerx')).toBeDefined();
      expect(types.resolve('globex', 'partnerx')).toBeUndefined();
    });

    it('looks a name up exactly first, then regardless of case', () => {
      const types = registry(['acme'], { [profileId]: jwtProfile(), Token: type({ kind: 'apitoken' }), token: type({ kind: 'apitoken' }) });
      expect(types.resolve('acme', profileId.toLowerCase())).toBe(types.resolve('acme', profileId));
      expect(types.resolve('acme', 'Token')).not.toBe(types.resolve('acme', 'token'));
      expect(types.resolve('acme', 'TOKEN')).toBeDefined();
    });

    it('names the configured type a spelling matches, exactly first', () => {
      const types = registry(['acme'], { [profileId]: jwtProfile(), Token: type({ kind: 'apitoken' }), token: type({ kind: 'apitoken' }) });
      expect(types.nameOf('acme', profileId.toUpperCase())).toBe(profileId);
      expect(types.nameOf('acme', 'token')).toBe('token');
      expect(types.nameOf('acme', 'Token')).toBe('Token');
      expect(types.nameOf('acme', 'unknown')).toBeUndefined();
      expect(types.nameOf('globex', 'Token')).toBeUndefined();
    });

    it('answers undefined for unknown types and tenants, prototype member names included', () => {
      const types = registry(['acme'], { apitoken: type({ kind: 'apitoken' }) });
      for (const name of ['unknown', '', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'apitoken ']) expect(types.resolve('acme', name)).toBeUndefined();
      for (const tenant of ['globex', '', '__proto__', 'constructor']) expect(types.resolve(tenant, 'apitoken')).toBeUndefined();
    });

    it('gives a tenant name nobody configured only the shared types', () => {
      const types = registry(['acme'], { apitoken: type({ kind: 'apitoken' }) }, { acme: { partnerx: type({ kind: 'apitoken' }) } });
      expect(types.resolve(unknownTenant, 'apitoken')).toBe(types.resolve('acme', 'apitoken'));
      expect(types.resolve(unknownTenant, 'partnerx')).toBeUndefined();
    });
  });

  describe('verifiers', () => {
    it('checks API tokens in the store it was given', async () => {
      const apiTokens = new ApiTokens(store.apiTokens, new TenantResolver({ tenants: { acme: {} } }), () => clock);
      const { token } = await apiTokens.create({ tenant: 'acme', userId: 'u-1', contactId: '1001' });
      recordSecret(token);
      const types = registry(['acme'], { apitoken: type({ kind: 'apitoken' }) });
      expect(await outcome(types, 'acme', 'apitoken', token)).toBe('accepted');
      expect(await outcome(types, 'acme', 'apitoken', recordSecret(`${token}x`))).toBe('api_token_invalid');
    });

    it('checks signed sender tokens on its clock', async () => {
      const types = registry(['acme'], { InfoShareToken: signedSender(senderA.publicKey) });
      expect(await outcome(types, 'acme', 'InfoShareToken', await senderToken(senderA.privateKey, { now: clock - 120_000 }))).toBe('sender_clock_skew');
    });

    it('requires aud where a type asks for it, even with one tenant', async () => {
      const types = registry(['acme'], { InfoShareToken: signedSender(senderA.publicKey, { requireAudience: true }) });
      expect(await outcome(types, 'acme', 'InfoShareToken', await senderToken(senderA.privateKey))).toBe('token_invalid');
      expect(await outcome(types, 'acme', 'InfoShareToken', await senderToken(senderA.privateKey, { audience: 'acme' }))).toBe('accepted');
    });

    it('fetches a shared profile’s JWKS through the dispatcher it was given, once for every tenant', async () => {
      const types = registry(['acme', 'globex'], { [profileId]: jwtProfile() });
      const now = Math.floor(clock / 1000);
      const token = recordSecret(
        await new SignJWT({ iss: issuer, aud: audience, upn: 'bob@example.com', iat: now, exp: now + 600 }).setProtectedHeader({ alg: 'RS256', kid: idp.kid }).sign(idp.privateKey),
      );
      expect(await outcome(types, 'acme', profileId, token)).toBe('accepted');
      expect(await outcome(types, 'globex', profileId.toLowerCase(), token)).toBe('accepted');
      expect(jwks.received).toHaveLength(1);
      expect(types.resolve('acme', profileId)?.publicSettings?.()).toMatchObject({ ProfileId: profileId, JwksUrl: `${jwks.origin}/keys` });
    });

    it('keeps to the dispatcher’s address policy: a JWKS on loopback is not fetched unless allowed', async () => {
      const types = registry(['acme'], { [profileId]: jwtProfile() }, {}, { allowPrivateAddresses: [] });
      const now = Math.floor(clock / 1000);
      const token = recordSecret(
        await new SignJWT({ iss: issuer, aud: audience, upn: 'bob@example.com', iat: now, exp: now + 600 }).setProtectedHeader({ alg: 'RS256', kid: idp.kid }).sign(idp.privateKey),
      );
      expect(await outcome(types, 'acme', profileId, token)).toBe('validator_unavailable');
      expect(jwks.received).toHaveLength(0);
    });
  });
});
