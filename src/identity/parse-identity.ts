import { z } from 'zod';
import type { IdentityFieldPaths } from '../config/command-schema.js';
import { normalizeEmail } from './identity.js';

/** The identity fields found in an answer, or why none could be read. */
export type ParsedAnswer =
  | { kind: 'identity'; contactId?: string; contactEmail?: string }
  | { kind: 'none' }
  | { kind: 'malformed'; reason: string };

const contactIdSchema = z.union([
  z.string().trim().min(1).max(256),
  z.number().int().safe().transform(String),
]);
const contactEmailSchema = z
  .string()
  .trim()
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/, 'not an e-mail address')
  .transform(normalizeEmail);

/**
 * Reads `ContactId` / `ContactEmail` (or the configured paths) from a command's answer.
 * Neither present → `none` (the partner did not vouch for anybody); a field present with a
 * value of the wrong shape → `malformed` (the partner answered garbage). Never throws.
 */
export function parseIdentityAnswer(answer: unknown, paths: Required<IdentityFieldPaths>): ParsedAnswer {
  const rawId = readPath(answer, paths.contactId);
  const rawEmail = readPath(answer, paths.contactEmail);
  if (isAbsent(rawId) && isAbsent(rawEmail)) return { kind: 'none' };
  const parsed: { kind: 'identity'; contactId?: string; contactEmail?: string } = { kind: 'identity' };
  if (!isAbsent(rawId)) {
    const id = contactIdSchema.safeParse(rawId);
    if (!id.success) return { kind: 'malformed', reason: `${paths.contactId} is not a string or whole number` };
    parsed.contactId = id.data;
  }
  if (!isAbsent(rawEmail)) {
    const email = contactEmailSchema.safeParse(rawEmail);
    if (!email.success) return { kind: 'malformed', reason: `${paths.contactEmail} is not an e-mail address` };
    parsed.contactEmail = email.data;
  }
  return parsed;
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Follows a dotted path through own properties only, so `__proto__` and friends read nothing. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
