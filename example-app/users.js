import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from 'login-with-token';

/** Demo passwords: printed in the README so the curl examples work. Never do this for real. */
export const demoPasswords = { alice: 'alice-password', bob: 'bob-password' };

const hashPassword = (password, salt = randomBytes(16)) => ({ salt, hash: scryptSync(password, salt, 32) });

/** The portal's own user table. Partners know these people by contact id or e-mail. */
export const users = [
  { id: 'u-1', username: 'alice', name: 'Alice Archer', email: 'alice@example.com', contactId: '1001', password: hashPassword(demoPasswords.alice) },
  { id: 'u-2', username: 'bob', name: 'Bob Baker', email: 'Bob@Example.com', contactId: '1002', password: hashPassword(demoPasswords.bob) },
  { id: 'u-3', username: 'carol', name: 'Carol Cole', email: 'carol@example.com', contactId: '1003', disabled: true },
];

/** Demo access tokens for the access_token_identifier variants of authentication/token. */
const accessTokens = {
  authenticationCodes: { 'demo-authentication-code': '1001' },
  identifiers: { 'kiosk-1': { passCode: '0000', contactId: '1002' } },
};

/** VerifyCredentials as an in-process command: the portal checks its own password hashes. */
export function verifyCredentials({ username, password }) {
  const user = users.find((candidate) => candidate.username === username?.toLowerCase());
  // Hash even for unknown users so that timing does not tell them apart.
  const stored = user?.password ?? hashPassword('unknown-user');
  const ok = timingSafeEqual(scryptSync(password ?? '', stored.salt, 32), stored.hash);
  return ok && user ? { ContactId: user.contactId } : null;
}

/** VerifyAccessToken as an in-process command. */
export function verifyAccessToken({ authenticationCode, identifier, passCode }) {
  if (authenticationCode) {
    const contactId = accessTokens.authenticationCodes[authenticationCode];
    return contactId ? { ContactId: contactId } : null;
  }
  const device = accessTokens.identifiers[identifier];
  return device && device.passCode === passCode ? { ContactId: device.contactId } : null;
}

/** resolveUser for login-with-token: by contact id, else by e-mail compared case-insensitively. */
export function findUser(identity) {
  if (identity.contactId !== undefined) return users.find((user) => user.contactId === identity.contactId) ?? null;
  return users.find((user) => normalizeEmail(user.email) === identity.contactEmail) ?? null;
}

export function userById(id) {
  return users.find((user) => user.id === id) ?? null;
}
