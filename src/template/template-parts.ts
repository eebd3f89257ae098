import { LoginError } from '../errors/login-error.js';

/** Values substituted into a command template, by placeholder name (`{authToken}` → `authToken`). */
export type Placeholders = Readonly<Record<string, string | undefined>>;

const placeholderPattern = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** A template split into literal text and placeholder names, in order. */
export type TemplatePart = { literal: string } | { placeholder: string };

/** Splits `text` at every `{name}`; text without placeholders yields one literal part. */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of text.matchAll(placeholderPattern)) {
    if (match.index > last) parts.push({ literal: text.slice(last, match.index) });
    parts.push({ placeholder: match[1]! });
    last = match.index + match[0].length;
  }
  if (last < text.length || parts.length === 0) parts.push({ literal: text.slice(last) });
  return parts;
}

/** The placeholder names used in `text`. */
export function placeholderNames(text: string): string[] {
  return [...text.matchAll(placeholderPattern)].map((match) => match[1]!);
}

/**
 * Joins parts, passing every placeholder value through `encode`. Missing values render empty.
 * A value with a lone surrogate (not representable in UTF-8) is refused with `invalid_request`.
 */
export function renderParts(
  parts: readonly TemplatePart[],
  values: Placeholders,
  encode: (value: string) => string,
): string {
  let out = '';
  for (const part of parts) {
    if ('literal' in part) {
      out += part.literal;
      continue;
    }
    const value = values[part.placeholder] ?? '';
    if (!value.isWellFormed()) throw new LoginError('invalid_request', { reason: `placeholder ${part.placeholder} is not well-formed text` });
    out += encode(value);
  }
  return out;
}
