import { isStorableText } from '../config/zod-helpers.js';
import type { IdentityFieldPaths } from '../config/command-schema.js';
import { normalizeEmail, toSessionIdentity, type SessionIdentity } from './identity.js';
import { readPath } from './read-path.js';

/** The identity an answer names, or why none could be read. */
export type ParsedAnswer = { kind: 'identity'; identity: SessionIdentity } | { kind: 'none' } | { kind: 'malformed'; reason: string };

const emailShape = /^[^\s@]+@[^\s@]+$/;

/** A contact id as sessions keep it — storable text, trimmed, 1–256 characters, or a safe whole number — or undefined for any other value. */
function contactIdOf(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (!isStorableText(value)) return undefined;
  const id = value.trim();
  return id.length >= 1 && id.length <= 256 ? id : undefined;
}

/** An e-mail address as sessions keep it — storable text, trimmed, at most 320 characters, normalised — or undefined for any other value. */
function contactEmailOf(value: unknown): string | undefined {
  if (!isStorableText(value)) return undefined;
  const email = value.trim();
  return email.length <= 320 && emailShape.test(email) ? normalizeEmail(email) : undefined;
}

/**
 * Reads `ContactId` / `ContactEmail` (or the configured paths) from a command's answer, as the
 * identity of a sign-in of `tokenType`.
 * Neither present → `none` (the partner did not vouch for anybody); a field present with a
 * value of the wrong shape → `malformed` (the partner answered garbage). Never throws.
 */
export function parseIdentityAnswer(answer: unknown, paths: Required<IdentityFieldPaths>, tokenType: string): ParsedAnswer {
  const rawId = readPath(answer, paths.contactId);
  const rawEmail = readPath(answer, paths.contactEmail);
  if (isAbsent(rawId) && isAbsent(rawEmail)) return { kind: 'none' };
  let contactId: string | undefined;
  let contactEmail: string | undefined;
  if (!isAbsent(rawId)) {
    contactId = contactIdOf(rawId);
    if (contactId === undefined) return { kind: 'malformed', reason: `${paths.contactId} is not a string or whole number` };
  }
  if (!isAbsent(rawEmail)) {
    contactEmail = contactEmailOf(rawEmail);
    if (contactEmail === undefined) return { kind: 'malformed', reason: `${paths.contactEmail} is not an e-mail address` };
  }
  return { kind: 'identity', identity: toSessionIdentity({ contactId, contactEmail, tokenType }) };
}

/**
 * Reads the user named by one claim of a verified token or an introspection answer: a contact
 * id, or an e-mail address when `claimIs` says so. Absent or empty → `none`; a value of the
 * wrong shape (not text, NUL, not an address) → `malformed`. Never throws.
 */
export function parseIdentityClaim(value: unknown, claimIs: 'email' | 'contactId', tokenType: string): ParsedAnswer {
  if (isAbsent(value)) return { kind: 'none' };
  if (claimIs === 'email') {
    const contactEmail = contactEmailOf(value);
    return contactEmail === undefined ? { kind: 'malformed', reason: 'not an e-mail address' } : { kind: 'identity', identity: toSessionIdentity({ contactEmail, tokenType }) };
  }
  const contactId = contactIdOf(value);
  return contactId === undefined ? { kind: 'malformed', reason: 'not a string or whole number' } : { kind: 'identity', identity: toSessionIdentity({ contactId, tokenType }) };
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
