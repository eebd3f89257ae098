import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { JwtProfileDefinition, SignedSenderTokenTypeDefinition } from '../config/token-type-schema.js';
import { signSenderToken, type SignSenderTokenInput } from '../logon/sign-sender-token.js';

/** What {@link testTokenTypes} accepts. */
export interface TestTokenTypesOptions {
  /** The signed-sender token type's name (`tokenType` at LogonWithToken). @default 'TestSenderToken' */
  senderTokenType?: string;
  /** The JWT profile's id (`tokenType` at LogonWithToken, an entry of `bearer.jwtProfiles`). @default 'test-jwt' */
  jwtProfile?: string;
  /** The JWT profile's issuer. @default 'https://issuer.login-with-token.test' */
  issuer?: string;
  /** The JWT profile's audience. @default 'login-with-token-test' */
  audience?: string;
}

/** What a test JWT says (see {@link TestTokenTypes.jwt}). */
export interface TestJwtInput {
  /** The user's e-mail address, as the `upn` claim the profile reads. Required unless `claims` names the user. */
  contactEmail?: string;
  /** Scopes, as the space-separated `scope` claim. @default none */
  scopes?: string[];
  /** Seconds until `exp`. @default 300 */
  expiresInSeconds?: number;
  /** Further claims, or ones that override the defaults (`iss`, `aud`, `iat`…). */
  claims?: Record<string, unknown>;
}

/** Token types for a test portal, and the signers that mint tokens they accept. */
export interface TestTokenTypes {
  /** For `logon.tokenTypes` (or a tenant's): a signed-sender type and a JWT profile, each trusting a throwaway key. */
  readonly tokenTypes: Record<string, SignedSenderTokenTypeDefinition | JwtProfileDefinition>;
  /** The signed-sender type's name. */
  readonly senderTokenType: string;
  /** The JWT profile's id. */
  readonly jwtProfile: string;
  /** A signed sender token for the sender type (60 seconds unless `lifetimeSeconds` says otherwise). */
  senderToken(input: Omit<SignSenderTokenInput, 'privateKey' | 'algorithm'>): Promise<string>;
  /** A JWT of the profile, signed ES256: `iss`, `aud`, `iat`, `exp`, `jti`, then `upn`, `scope` and `claims`. */
  jwt(input: TestJwtInput): Promise<string>;
}

/**
 * Makes a signed-sender token type and a JWT profile for tests, each with a throwaway P-256 key
 * pair made here, and signers for both: give `tokenTypes` to the portal (the profile id also to
 * `bearer.jwtProfiles`) and mint with `senderToken` and `jwt`. The private keys never leave
 * this object.
 *
 * @example
 * ```ts
 * const types = testTokenTypes();
 * createLoginWithToken({ logon: { tokenTypes: types.tokenTypes }, … });
 * const token = await types.senderToken({ contactEmail: 'alice@example.com' });
 * ```
 */
export function testTokenTypes(options: TestTokenTypesOptions = {}): TestTokenTypes {
  const { senderTokenType = 'TestSenderToken', jwtProfile = 'test-jwt', issuer = 'https://issuer.login-with-token.test', audience = 'login-with-token-test' } = options;
  if (senderTokenType === jwtProfile) throw new Error('testTokenTypes: senderTokenType and jwtProfile must differ');
  const sender = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const idp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = (key: typeof sender.publicKey) => key.export({ format: 'pem', type: 'spki' }).toString();
  return {
    tokenTypes: {
      [senderTokenType]: { kind: 'signed-sender', keys: [publicPem(sender.publicKey)], algorithms: ['ES256'] },
      [jwtProfile]: { kind: 'jwt', issuer, audience, keys: [publicPem(idp.publicKey)], algorithms: ['ES256'] },
    },
    senderTokenType,
    jwtProfile,
    senderToken: (input) => signSenderToken({ ...input, privateKey: sender.privateKey, algorithm: 'ES256' }),
    jwt: ({ contactEmail, scopes, expiresInSeconds = 300, claims = {} }) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: issuer,
        aud: audience,
        iat: now,
        exp: now + expiresInSeconds,
        jti: randomUUID(),
        ...(contactEmail === undefined ? {} : { upn: contactEmail }),
        ...(scopes === undefined ? {} : { scope: scopes.join(' ') }),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
        .sign(idp.privateKey);
    },
  };
}
