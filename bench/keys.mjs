// The RS256 key pair and the one JWT that jose-verify, ours-logon-jwt, hand-written-jwt-bearer
// and ours-jwt-bearer all check. Made in the parent, so every server gets the very same token
// and public key (PEM, via BENCH_CONFIG).
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';

/** The scope the bearer variants require of an access token (JWT or introspected). */
export const requiredScope = 'portal.read';

export async function makeJwt() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issuer = 'https://idp.bench.invalid/';
  const audience = 'https://portal.bench.invalid';
  // `upn` is the profile's default user claim, read as an e-mail address by default; the bearer
  // variants require the scope `portal.read` (see `requiredScope`).
  const token = await new SignJWT({ upn: 'bench@example.com', scope: `${requiredScope} portal.write` })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(privateKey);
  return { issuer, audience, token, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) };
}
