import { SignJWT, base64url } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BearerJwtProfiles, type BearerJwtProfileOptions } from '../src/bearer/bearer-jwt-profiles.js';
import { tokenTypeSchema, type ParsedTokenType } from '../src/config/token-type-schema.js';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import { isLoginError } from '../src/errors/login-error.js';
import { TokenTypeRegistry } from '../src/logon/token-type-registry.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { rsaKeys, type RsaKeys } from './support/keys.js';
import { partnerPool } from './support/partner-pool.js';
import { recordSecret } from './support/secrets.js';

const issuerA = 'https://idp-a.example/';
const issuerA2 = 'https://idp-a.example/v2.0';
const issuerB = 'https://idp-b.example/';
const audience = 'https://api.portal.example';

let keys: RsaKeys;
let store: MemoryStore;
let partner: PartnerDispatcher;
beforeAll(() => {
  keys = rsaKeys();
  store = new MemoryStore();
  partner = partnerPool();
});
afterAll(async () => {
  await partner.close();
  await store.close();
});

/** A JWT profile with static keys, so matching never touches the network. */
const profile = (issuer: string | string[]): ParsedTokenType => tokenTypeSchema.parse({ kind: 'jwt', issuer, audience, keys: [keys.publicPem], userClaim: 'sub', userClaimIs: 'contactId' });

/** Token types and bearer lists over `tenants` (`default` when none), built as the factory builds them. */
function profiles(
  tenants: string[],
  shared: Record<string, ParsedTokenType>,
  lists: { bearer?: string[]; tenants?: Record<string, { tokenTypes?: Record<string, ParsedTokenType>; jwtProfiles?: string[] }> } = {},
): { profiles: BearerJwtProfiles; registry: TokenTypeRegistry } {
  const own = lists.tenants ?? {};
  const registry = new TokenTypeRegistry(
    tenants,
    { logon: { tokenTypes: shared }, tenants: Object.fromEntries(Object.entries(own).map(([tenant, settings]) => [tenant, { tokenTypes: settings.tokenTypes ?? {} }])) },
    { apiTokens: store.apiTokens, now: Date.now, dispatcher: partner.dispatcher },
  );
  const options: BearerJwtProfileOptions = {
    bearer: { jwtProfiles: lists.bearer ?? [] },
    tenants: Object.fromEntries(Object.entries(own).map(([tenant, settings]) => [tenant, { jwtProfiles: settings.jwtProfiles }])),
  };
  return { profiles: new BearerJwtProfiles(tenants, options, registry), registry };
}

/** A compact JWS whose payload is `payload`, signed by the profile's key. */
async function signed(payload: Record<string, unknown>): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return recordSecret(await new SignJWT({ aud: audience, sub: '1001', iat: now, exp: now + 300, ...payload }).setProtectedHeader({ alg: 'RS256', kid: keys.kid }).sign(keys.privateKey));
}

/** Three dot-separated parts around a payload given as raw text, with a signature nobody made. */
function unsigned(payloadText: string, header = '{"alg":"RS256"}'): string {
  return recordSecret(`${base64url.encode(header)}.${base64url.encode(payloadText)}.${base64url.encode('not-a-signature')}`);
}

describe('BearerJwtProfiles.match', () => {
  describe('by the token’s unverified iss', () => {
    it('finds the profile whose issuer the token names, with that profile’s verifier', async () => {
      const { profiles: bearer, registry } = profiles(['default'], { 'idp-a': profile(issuerA), 'idp-b': profile(issuerB) }, { bearer: ['idp-a', 'idp-b'] });
      const fromA = bearer.match('default', await signed({ iss: issuerA }));
      const fromB = bearer.match('default', await signed({ iss: issuerB }));
      expect(fromA?.id).toBe('idp-a');
      expect(fromA?.issuers).toEqual([issuerA]);
      expect(fromB?.id).toBe('idp-b');
      // The verifier LogonWithToken uses for the same id: one key cache per profile.
      expect(fromA?.verifier).toBe(registry.resolve('default', 'idp-a'));
      expect(fromB?.verifier).toBe(registry.resolve('default', 'idp-b'));
    });

    it('finds a profile listing several issuers by any of them', async () => {
      const { profiles: bearer } = profiles(['default'], { entra: profile([issuerA, issuerA2]) }, { bearer: ['entra'] });
      expect(bearer.match('default', await signed({ iss: issuerA }))?.id).toBe('entra');
      expect(bearer.match('default', await signed({ iss: issuerA2 }))?.id).toBe('entra');
    });

    it('compares the issuer exactly: no trailing-slash, case or prefix leniency', async () => {
      const { profiles: bearer } = profiles(['default'], { 'idp-a': profile(issuerA) }, { bearer: ['idp-a'] });
      for (const iss of ['https://idp-a.example', 'HTTPS://IDP-A.EXAMPLE/', 'https://idp-a.example/x', ' https://idp-a.example/', 'https://idp-a.example.attacker.example/']) {
        expect(bearer.match('default', await signed({ iss })), iss).toBeUndefined();
      }
    });

    it('leaves a JWT of an issuer no listed profile names to ValidateBearer (undefined)', async () => {
      const { profiles: bearer } = profiles(['default'], { 'idp-a': profile(issuerA) }, { bearer: ['idp-a'] });
      expect(bearer.match('default', await signed({ iss: issuerB }))).toBeUndefined();
    });

    it('uses only the profiles bearer.jwtProfiles lists, not every JWT profile among the token types', async () => {
      const { profiles: bearer } = profiles(['default'], { 'idp-a': profile(issuerA), 'idp-b': profile(issuerB) }, { bearer: ['idp-a'] });
      expect(bearer.match('default', await signed({ iss: issuerA }))?.id).toBe('idp-a');
      expect(bearer.match('default', await signed({ iss: issuerB }))).toBeUndefined();
    });

    it('matches nothing when bearer.jwtProfiles is empty (the default)', async () => {
      const { profiles: bearer } = profiles(['default'], { 'idp-a': profile(issuerA) });
      expect(bearer.match('default', await signed({ iss: issuerA }))).toBeUndefined();
    });

    it('skips an id that names a token type of another kind', async () => {
      const { profiles: bearer } = profiles(['default'], { apitoken: tokenTypeSchema.parse({ kind: 'apitoken' }), 'idp-a': profile(issuerA) }, { bearer: ['apitoken', 'idp-a'] });
      expect(bearer.match('default', await signed({ iss: issuerA }))?.id).toBe('idp-a');
    });
  });

  describe('per tenant', () => {
    it('lets a tenant’s own jwtProfiles replace bearer.jwtProfiles, for that tenant only', async () => {
      const shared = { 'idp-a': profile(issuerA), 'idp-b': profile(issuerB) };
      const { profiles: bearer } = profiles(['acme', 'globex'], shared, { bearer: ['idp-a'], tenants: { acme: { jwtProfiles: ['idp-b'] }, globex: {} } });
      const [fromA, fromB] = [await signed({ iss: issuerA }), await signed({ iss: issuerB })];
      expect(bearer.match('acme', fromA)).toBeUndefined();
      expect(bearer.match('acme', fromB)?.id).toBe('idp-b');
      expect(bearer.match('globex', fromA)?.id).toBe('idp-a');
      expect(bearer.match('globex', fromB)).toBeUndefined();
    });

    it('lets a tenant turn local verification off with an empty list', async () => {
      const { profiles: bearer } = profiles(['acme', 'globex'], { 'idp-a': profile(issuerA) }, { bearer: ['idp-a'], tenants: { acme: { jwtProfiles: [] }, globex: {} } });
      const token = await signed({ iss: issuerA });
      expect(bearer.match('acme', token)).toBeUndefined();
      expect(bearer.match('globex', token)?.id).toBe('idp-a');
    });

    it('uses the tenant’s own token type where it replaces a shared one of the same id', async () => {
      const { profiles: bearer, registry } = profiles(['acme', 'globex'], { idp: profile(issuerA) }, { bearer: ['idp'], tenants: { acme: { tokenTypes: { idp: profile(issuerB) } }, globex: {} } });
      const [fromA, fromB] = [await signed({ iss: issuerA }), await signed({ iss: issuerB })];
      expect(bearer.match('acme', fromA)).toBeUndefined();
      expect(bearer.match('acme', fromB)?.verifier).toBe(registry.resolve('acme', 'idp'));
      expect(bearer.match('globex', fromA)?.verifier).toBe(registry.resolve('globex', 'idp'));
      expect(bearer.match('globex', fromB)).toBeUndefined();
      expect(registry.resolve('acme', 'idp')).not.toBe(registry.resolve('globex', 'idp'));
    });

    it('matches nothing for a tenant nobody configured', async () => {
      const { profiles: bearer } = profiles(['acme'], { 'idp-a': profile(issuerA) }, { bearer: ['idp-a'], tenants: { acme: {} } });
      expect(bearer.match('nobody', await signed({ iss: issuerA }))).toBeUndefined();
    });
  });

  describe('tokens that are no JWT of a profile', () => {
    let bearer: BearerJwtProfiles;
    beforeAll(() => {
      ({ profiles: bearer } = profiles(['default'], { 'idp-a': profile(issuerA) }, { bearer: ['idp-a'] }));
    });

    it('answers undefined for opaque strings and the wrong number of parts', async () => {
      const good = await signed({ iss: issuerA });
      const [header, payload, signature] = good.split('.') as [string, string, string];
      expect(bearer.match('default', good)?.id).toBe('idp-a');
      const shapes = {
        opaque: 'lBqTQ5xJ0c9k8cWw3a1l4dE7y2Q',
        empty: '',
        dots: '..',
        'two parts': `${header}.${payload}`,
        'four parts': `${header}.${payload}.${signature}.${signature}`,
        'five parts (JWE shape)': `${header}.${payload}.${signature}.${signature}.${signature}`,
        'no header': `.${payload}.${signature}`,
        'trailing dot': `${good}.`,
      };
      for (const [name, token] of Object.entries(shapes)) expect(bearer.match('default', token), name).toBeUndefined();
    });

    it('answers undefined for a payload that is no base64url JSON object', () => {
      const garbage = {
        'not base64url': `${base64url.encode('{"alg":"RS256"}')}.!!!***~~~.sig`,
        'not JSON': unsigned('iss=https://idp-a.example/'),
        'truncated JSON': unsigned(`{"iss":"${issuerA}"`),
        'JSON null': unsigned('null'),
        'JSON array': unsigned(`["${issuerA}"]`),
        'JSON string': unsigned(JSON.stringify(issuerA)),
        'JSON number': unsigned('42'),
      };
      for (const [name, token] of Object.entries(garbage)) expect(() => bearer.match('default', token), name).not.toThrow();
      for (const [name, token] of Object.entries(garbage)) expect(bearer.match('default', token), name).toBeUndefined();
    });

    it('answers undefined when iss is missing or not a string', () => {
      const claims = { missing: {}, number: { iss: 42 }, list: { iss: [issuerA] }, object: { iss: { value: issuerA } }, null: { iss: null }, boolean: { iss: true } };
      for (const [name, payload] of Object.entries(claims)) expect(bearer.match('default', unsigned(JSON.stringify(payload))), name).toBeUndefined();
    });
  });

  describe('is a routing decision only', () => {
    it('matches a forged token naming the issuer — and the matched profile’s verifier refuses it', async () => {
      const { profiles: bearer } = profiles(['default'], { 'idp-a': profile(issuerA) }, { bearer: ['idp-a'] });
      const now = Math.floor(Date.now() / 1000);
      const forged = unsigned(JSON.stringify({ iss: issuerA, aud: audience, sub: '1001', iat: now, exp: now + 300 }), JSON.stringify({ alg: 'RS256', kid: keys.kid }));
      const attacker = rsaKeys();
      const otherKey = recordSecret(
        await new SignJWT({ iss: issuerA, aud: audience, sub: '1001', iat: now, exp: now + 300 }).setProtectedHeader({ alg: 'RS256', kid: keys.kid }).sign(attacker.privateKey),
      );
      const none = recordSecret(`${base64url.encode('{"alg":"none"}')}.${base64url.encode(JSON.stringify({ iss: issuerA, aud: audience, sub: '1001', iat: now, exp: now + 300 }))}.`);
      for (const [name, token, code] of [
        ['bad signature', forged, 'signature_invalid'],
        ['another key', otherKey, 'signature_invalid'],
        ['alg none', none, 'hash_algorithm'],
      ] as const) {
        const matched = bearer.match('default', token);
        expect(matched?.id, name).toBe('idp-a');
        const refusal = await matched!.verifier.verify(token, 'default').then(
          () => 'accepted',
          (error: unknown) => (isLoginError(error) ? error.code : String(error)),
        );
        expect(refusal, name).toBe(code);
      }
      // The same verifier accepts a genuine token, so the refusals above are the signature's doing.
      const genuine = await signed({ iss: issuerA });
      await expect(bearer.match('default', genuine)!.verifier.verify(genuine, 'default')).resolves.toMatchObject({ identity: { contactId: '1001' } });
    });
  });
});
