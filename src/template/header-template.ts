import { LoginError } from '../errors/login-error.js';
import { placeholderNames, renderParts, splitTemplate, type Placeholders, type TemplatePart } from './template-parts.js';

/** Compiled header key/value pairs; values take placeholders, names do not. */
export interface HeaderTemplate {
  readonly placeholders: readonly string[];
  /** Lower-cased names of the configured headers. */
  readonly names: ReadonlySet<string>;
  /**
   * Renders the headers; throws `invalid_request` when a placeholder value holds anything but
   * visible ASCII, or one of `"` `,` `;` `\` (which would change the header's structure).
   */
  render(values: Placeholders): Record<string, string>;
}

const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// What undici (and RFC 9110) accept in a field value: tab, visible ASCII, obs-text. No CR or LF.
const forbiddenInValue = /[^\t\x20-\x7e\x80-\xff]/;
// A placeholder value may not add list items, parameters or quoted strings to a header either.
const forbiddenInPlaceholder = /[^\x21-\x7e]|[",;\\]/;

/** Compiles headers once at start-up; throws a `TypeError` for a bad name or value. */
export function compileHeaderTemplate(headers: Readonly<Record<string, string>>): HeaderTemplate {
  const placeholders: string[] = [];
  const compiled: [string, TemplatePart[]][] = Object.entries(headers).map(([name, value]) => {
    if (!tokenPattern.test(name)) throw new TypeError(`header name "${name}" is not a valid HTTP token`);
    if (forbiddenInValue.test(value)) throw new TypeError(`header "${name}" contains a character not allowed in a header value`);
    placeholders.push(...placeholderNames(value));
    return [name.toLowerCase(), splitTemplate(value)];
  });
  return {
    placeholders,
    names: new Set(compiled.map(([name]) => name)),
    render(values) {
      const out: Record<string, string> = {};
      for (const [name, parts] of compiled) {
        out[name] = renderParts(parts, values, (value) => {
          if (forbiddenInPlaceholder.test(value)) {
            throw new LoginError('invalid_request', { reason: `a placeholder would put a forbidden character into header ${name}` });
          }
          return value;
        });
      }
      return out;
    },
  };
}
