import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedSenderKeyProblems } from '../src/config/shared-sender-keys.js';
import { tokenTypeSchema, type ParsedTokenType } from '../src/config/token-type-schema.js';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import { createLoginWithToken } from '../src/create-login-with-token.js';
import { LoginError } from '../src/errors/login-error.js';
import { signSenderToken } from '../src/logon/sign-sender-token.js';
import { createSignedSenderVerifier } from '../src/logon/signed-sender-verifier.js';
import { TokenTypeRegistry } from '../src/logon/token-type-registry.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { expectOptionsError } from './support/options-error.js';
import { partnerPool } from './support/partner-pool.js';
import { recordSecret } from './support/secrets.js';

type Types = Record<string, ParsedTokenType>;

let sender: { privateKey: KeyObject; publicPem: string; jwk: Record<string, unknown> };
let otherSender: typeof sender;
let store: MemoryStore;
let partner: PartnerDispatcher;
const clock = Date.now();
const now = () => clock;

function ecSender(): typeof sender {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(), jwk: publicKey.export({ format: 'jwk' }) };
}

beforeAll(() => {
  sender = ecSender();
  otherSender = ecSender();
  store = new MemoryStore();
  partner = partnerPool();
});
afterAll(async () => {
  await store.close();
  await partner.close();
});

const signedSender = (keys: (string | Record<string, unknown>)[], extra: Record<string, unknown> = {}): ParsedTokenType =>
  tokenTypeSchema.parse({ kind: 'signed-sender', keys, ...extra });

const registry = (tenants: string[], defaults: Types, byTenant: Record<string, Types> = {}) =>
  new TokenTypeRegistry(
    tenants,
    { logon: { tokenTypes: defaults }, tenants: Object.fromEntries(Object.entries(byTenant).map(([tenant, tokenTypes]) => [tenant, { tokenTypes }])) },
    { apiTokens: store.apiTokens, now, dispatcher: partner.dispatcher },
  );

async function token(options: { audience?: string; key?: KeyObject } = {}): Promise<string> {
  return recordSecret(
    await signSenderToken({
      privateKey: options.key ?? sender.privateKey,
      contactId: '1001',
      now: clock,
      ...(options.audience === undefined ? {} : { audience: options.audience }),
    }),
  );
}

/** Verifies `token` as `InfoShareToken` at `tenant`; resolves with the error code, or 'accepted'. */
async function outcome(types: TokenTypeRegistry, tenant: string, presented: string): Promise<string> {
  try {
    const verified = await types.resolve(tenant, 'InfoShareToken')!.verify(presented, tenant);
    expect(verified.identity.contactId).toBe('1001');
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(LoginError);
    return (error as LoginError).code;
  }
}

describe('signed sender tokens and tenants', () => {
  describe('when one key is trusted by two tenants', () => {
    // The same key material, once as PEM and once as JWK: the registry compares keys, not text.
    const byTenant = () => ({
      'tenant-a': { InfoShareToken: signedSender([sender.publicPem]) },
      'tenant-b': { InfoShareToken: signedSender([sender.jwk]) },
    });

    it('refuses a token for tenant A at tenant B, and accepts it at A', async () => {
      const types = registry(['tenant-a', 'tenant-b'], {}, byTenant());
      const forA = await token({ audience: 'tenant-a' });
      expect(await outcome(types, 'tenant-b', forA)).toBe('token_invalid');
      expect(await outcome(types, 'tenant-a', forA)).toBe('accepted');
    });

    it('refuses a token without aud at either tenant', async () => {
      const types = registry(['tenant-a', 'tenant-b'], {}, byTenant());
      const unbound = await token();
      expect(await outcome(types, 'tenant-a', unbound)).toBe('token_invalid');
      expect(await outcome(types, 'tenant-b', unbound)).toBe('token_invalid');
    });

    it('refuses requireAudience: false as a configuration error', () => {
      const types = byTenant();
      types['tenant-b'].InfoShareToken = signedSender([sender.jwk], { requireAudience: false });
      expect(sharedSenderKeyProblems({}, types, ['tenant-a', 'tenant-b'])).toEqual([
        { path: ['tenants', 'tenant-b', 'tokenTypes', 'InfoShareToken', 'requireAudience'], message: expect.stringContaining('tenant-a, tenant-b') },
      ]);
      const options = {
        resolveUser: () => null,
        resolveTenant: () => 'tenant-a',
        tenants: {
          'tenant-a': { tokenTypes: { InfoShareToken: { kind: 'signed-sender' as const, keys: [sender.publicPem] } } },
          'tenant-b': { tokenTypes: { InfoShareToken: { kind: 'signed-sender' as const, keys: [sender.jwk], requireAudience: false } } },
        },
      };
      expectOptionsError(() => createLoginWithToken(options), {
        code: 'LWT_INVALID_OPTION',
        path: 'tenants.tenant-b.tokenTypes.InfoShareToken.requireAudience',
        message: /tenants\.tenant-b\.tokenTypes\.InfoShareToken\.requireAudience/,
      });
    });
  });

  describe('when the type is in logon.tokenTypes', () => {
    it('requires aud with two tenants: the type serves both', async () => {
      const types = registry(['tenant-a', 'tenant-b'], { InfoShareToken: signedSender([sender.publicPem]) });
      expect(await outcome(types, 'tenant-a', await token())).toBe('token_invalid');
      expect(await outcome(types, 'tenant-b', await token({ audience: 'tenant-a' }))).toBe('token_invalid');
      expect(await outcome(types, 'tenant-b', await token({ audience: 'tenant-b' }))).toBe('accepted');
      expect(sharedSenderKeyProblems({ InfoShareToken: signedSender([sender.publicPem], { requireAudience: false }) }, {}, ['tenant-a', 'tenant-b'])).toHaveLength(1);
    });

    it('accepts a token without aud with one tenant', async () => {
      const types = registry(['only'], { InfoShareToken: signedSender([sender.publicPem]) });
      expect(await outcome(types, 'only', await token())).toBe('accepted');
      expect(sharedSenderKeyProblems({ InfoShareToken: signedSender([sender.publicPem], { requireAudience: false }) }, {}, ['only'])).toEqual([]);
    });

    it('still refuses a token whose aud names another tenant with one tenant', async () => {
      const types = registry(['only'], { InfoShareToken: signedSender([sender.publicPem]) });
      expect(await outcome(types, 'only', await token({ audience: 'elsewhere' }))).toBe('token_invalid');
    });
  });

  describe('when each tenant trusts its own key', () => {
    it('accepts tokens without aud: no token of one tenant verifies at the other', async () => {
      const types = registry(['tenant-a', 'tenant-b'], {}, {
        'tenant-a': { InfoShareToken: signedSender([sender.publicPem]) },
        'tenant-b': { InfoShareToken: signedSender([otherSender.publicPem]) },
      });
      expect(await outcome(types, 'tenant-a', await token())).toBe('accepted');
      expect(await outcome(types, 'tenant-b', await token({ key: otherSender.privateKey }))).toBe('accepted');
    });
  });

  describe('createSignedSenderVerifier', () => {
    const verify = async (presented: string, tenant: string, requireAudience: boolean) => {
      const type = signedSender([sender.publicPem]) as Extract<ParsedTokenType, { kind: 'signed-sender' }>;
      return createSignedSenderVerifier(type, { now, requireAudience })
        .verify(presented, tenant)
        .then(
          () => 'accepted',
          (error: unknown) => (error as LoginError).code,
        );
    };

    it('refuses a token without aud when the audience is required', async () => {
      expect(await verify(await token(), 'tenant-a', true)).toBe('token_invalid');
      expect(await verify(await token(), 'tenant-a', false)).toBe('accepted');
    });

    it('accepts an aud array that contains the tenant', async () => {
      const at = Math.floor(clock / 1000);
      const listed = recordSecret(
        await new SignJWT({ ver: '1.0', ContactId: '1001', aud: ['tenant-x', 'tenant-a'] })
          .setProtectedHeader({ alg: 'ES256' })
          .setIssuedAt(at)
          .setExpirationTime(at + 60)
          .sign(sender.privateKey),
      );
      expect(await verify(listed, 'tenant-a', true)).toBe('accepted');
      expect(await verify(listed, 'tenant-b', true)).toBe('token_invalid');
    });
  });

  describe('signSenderToken', () => {
    it('sets aud to the audience, and leaves it out without one', async () => {
      expect(decodeJwt(await token({ audience: 'tenant-a' })).aud).toBe('tenant-a');
      expect(decodeJwt(await token())).not.toHaveProperty('aud');
    });
  });
});
