import { placeholderNames, renderParts, splitTemplate, type Placeholders, type TemplatePart } from './template-parts.js';

/** How a request body template is written and rendered. */
export type BodyFormat = 'json' | 'form';

/** A compiled request body template. */
export interface BodyTemplate {
  readonly format: BodyFormat;
  /** Content type sent unless the command's headers name one. */
  readonly contentType: string;
  /** Every placeholder name the template uses. */
  readonly placeholders: readonly string[];
  /** Renders the body; a value can never change its structure. */
  render(values: Placeholders): string;
}

/** Guesses the format: a template that reads as JSON is JSON, anything else is form data. */
export function detectBodyFormat(template: string): BodyFormat {
  return /^\s*[{[]/.test(template) ? 'json' : 'form';
}

/** Compiles a body template once at start-up; throws a `TypeError` describing what is wrong. */
export function compileBodyTemplate(template: string, format: BodyFormat = detectBodyFormat(template)): BodyTemplate {
  return format === 'json' ? compileJsonBody(template) : compileFormBody(template);
}

type JsonShape = (values: Placeholders) => unknown;

/**
 * JSON bodies are parsed once; placeholders may only stand inside string values. Rendering
 * rebuilds the value tree and serialises it, so quotes or backslashes in a value stay inside
 * their string.
 */
function compileJsonBody(template: string): BodyTemplate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    throw new TypeError('must be valid JSON with placeholders inside strings, e.g. {"token":"{authToken}"}');
  }
  const placeholders: string[] = [];
  const shape = compileJsonValue(parsed, placeholders);
  return {
    format: 'json',
    contentType: 'application/json',
    placeholders,
    render: (values) => JSON.stringify(shape(values)),
  };
}

function compileJsonValue(value: unknown, seen: string[]): JsonShape {
  if (typeof value === 'string') {
    const parts = splitTemplate(value);
    const names = placeholderNames(value);
    if (names.length === 0) return () => value;
    seen.push(...names);
    return (values) => renderParts(parts, values, (text) => text);
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => compileJsonValue(item, seen));
    return (values) => items.map((item) => item(values));
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([key, item]) => {
      if (placeholderNames(key).length > 0) throw new TypeError('placeholders are not allowed in JSON property names');
      return [key, compileJsonValue(item, seen)] as const;
    });
    return (values) => Object.fromEntries(entries.map(([key, item]) => [key, item(values)]));
  }
  return () => value;
}

/**
 * Form bodies (`token={authToken}&ip={ipAddress}`) are split into fields once; each value is
 * form-encoded on render, so `&` or `=` in a value cannot add a field.
 */
function compileFormBody(template: string): BodyTemplate {
  const placeholders: string[] = [];
  const fields = template
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      const rawValue = eq === -1 ? '' : pair.slice(eq + 1);
      if (placeholderNames(rawName).length > 0) throw new TypeError('placeholders are not allowed in form field names');
      placeholders.push(...placeholderNames(rawValue));
      return { name: decodeFormText(rawName), value: splitTemplate(rawValue).map(decodeLiteral) };
    });
  return {
    format: 'form',
    contentType: 'application/x-www-form-urlencoded',
    placeholders,
    render: (values) =>
      new URLSearchParams(fields.map((field): [string, string] => [field.name, renderParts(field.value, values, (text) => text)])).toString(),
  };
}

function decodeLiteral(part: TemplatePart): TemplatePart {
  return 'literal' in part ? { literal: decodeFormText(part.literal) } : part;
}

function decodeFormText(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new TypeError(`is not valid form data near "${text.slice(0, 20)}"`);
  }
}
