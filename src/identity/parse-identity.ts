import { z } from 'zod';
import { storableText } from '../config/zod-helpers.js';
import type { IdentityFieldPaths } from '../config/command-schema.js';
import { normalizeEmail, toSessionIdentity, type SessionIdentity } from './identity.js';
import { readPath } from './read-path.js';

/** The identity an answer names, or why none could be read. */
export type ParsedAnswer = { kind: 'identity'; identity: SessionIdentity } | { kind: 'none' } | { kind: 'malformed'; reason: string };

const contactIdSchema = z.union([
  storableText().trim().min(1).max(256),
  z.number().int().safe().transform(String),
]);
const contactEmailSchema = storableText()
  .trim()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/, 'not an e-mail address')
  .transform(normalizeEmail);

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
    const id = contactIdSchema.safeParse(rawId);
    if (!id.success) return { kind: 'malformed', reason: `${paths.contactId} is not a string or whole number` };
    contactId = id.data;
  }
  if (!isAbsent(rawEmail)) {
    const email = contactEmailSchema.safeParse(rawEmail);
    if (!email.success) return { kind: 'malformed', reason: `${paths.contactEmail} is not an e-mail address` };
    contactEmail = email.data;
  }
  return { kind: 'identity', identity: toSessionIdentity({ contactId, contactEmail, tokenType }) };
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
