import { normalizeEmail } from 'login-with-token';

/** The portal's own user table. Partners know these people by contact id or e-mail. */
export const users = [
  { id: 'u-1', name: 'Alice Archer', email: 'alice@example.com', contactId: '1001' },
  { id: 'u-2', name: 'Bob Baker', email: 'Bob@Example.com', contactId: '1002' },
  { id: 'u-3', name: 'Carol Cole', email: 'carol@example.com', contactId: '1003', disabled: true },
];

/** resolveUser for login-with-token: by contact id, else by e-mail compared case-insensitively. */
export function findUser(identity) {
  if (identity.contactId !== undefined) return users.find((user) => user.contactId === identity.contactId) ?? null;
  return users.find((user) => normalizeEmail(user.email) === identity.contactEmail) ?? null;
}

export function userById(id) {
  return users.find((user) => user.id === id) ?? null;
}
