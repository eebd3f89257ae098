import { LoginError } from '../errors/login-error.js';
import { renderParts, splitTemplate, type Placeholders, type TemplatePart } from './template-parts.js';

/** A URL template whose origin is fixed at start-up and whose path and query take placeholders. */
export interface UrlTemplate {
  /** `scheme://host:port`, never influenced by a placeholder. */
  readonly origin: string;
  /** Renders path and query (`/validate?token=…`) with every value percent-encoded. */
  renderPath(values: Placeholders): string;
  /** Every placeholder name the template uses. */
  readonly placeholders: readonly string[];
}

/** Percent-encodes a query value: everything but letters, digits, `-`, `.`, `_` and `~`. */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, percentEncodeCharacter);
}

/**
 * Percent-encodes a path value like {@link encodeQueryValue}, and dots too. (A segment that is
 * only `%2E` or `%2E%2E` is still a dot segment to URL parsers: {@link compileUrlTemplate}
 * refuses to render one.)
 */
export function encodePathValue(value: string): string {
  return encodeURIComponent(value).replace(/[.!'()*]/g, percentEncodeCharacter);
}

function percentEncodeCharacter(character: string): string {
  return `%${character.charCodeAt(0).toString(16).toUpperCase()}`;
}

const allowedLiteral = /^[\x21-\x7e]*$/;
// `.`, `..` and their percent-encoded spellings, which URL parsers resolve (`/a/%2e%2e/b` is `/b`).
const dotSegment = /(^|\/)(\.|%2e){1,2}(?=\/|$)/i;

/**
 * Compiles `template` once at start-up. Throws a `TypeError` (message without option path) when
 * the template is not an absolute http(s) URL, or puts a placeholder in the scheme, credentials,
 * host or port, carries a fragment or a dot segment. Rendering refuses (`invalid_request`) values
 * that would make a dot segment.
 */
export function compileUrlTemplate(template: string): UrlTemplate {
  const schemeEnd = /^https?:\/\//i.exec(template)?.[0].length;
  if (schemeEnd === undefined) throw new TypeError('must be an absolute http(s) URL');
  const authorityEnd = template.slice(schemeEnd).search(/[/?#]/);
  const cut = authorityEnd === -1 ? template.length : schemeEnd + authorityEnd;
  const head = template.slice(0, cut);
  let rest = template.slice(cut);
  if (/[{}]/.test(head)) throw new TypeError('placeholders are not allowed in the scheme, host or port');
  let origin: URL;
  try {
    origin = new URL(head);
  } catch {
    throw new TypeError('must be an absolute http(s) URL');
  }
  if (origin.username || origin.password) throw new TypeError('must not carry credentials; use headers');
  if (rest.includes('#')) throw new TypeError('must not contain a fragment');
  if (!allowedLiteral.test(rest)) throw new TypeError('must be written with URL-encoded characters only');
  if (rest === '' || rest.startsWith('?')) rest = `/${rest}`;
  const queryStart = rest.indexOf('?');
  const pathTemplate = queryStart === -1 ? rest : rest.slice(0, queryStart);
  if (dotSegment.test(pathTemplate)) throw new TypeError('must not contain dot segments (".", "..")');
  const pathParts: TemplatePart[] = splitTemplate(pathTemplate);
  const queryParts: TemplatePart[] = queryStart === -1 ? [] : splitTemplate(rest.slice(queryStart));
  const placeholders = [...pathParts, ...queryParts].flatMap((part) => ('placeholder' in part ? [part.placeholder] : []));
  return {
    origin: origin.origin,
    placeholders,
    renderPath: (values) => {
      const path = renderParts(pathParts, values, encodePathValue);
      // Values cannot leave their segment, but one that is all dots would still climb a level at the partner.
      if (dotSegment.test(path)) throw new LoginError('invalid_request', { reason: 'a placeholder would make a dot segment of the partner path' });
      return path + renderParts(queryParts, values, encodeQueryValue);
    },
  };
}
