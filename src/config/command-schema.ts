import { z } from 'zod';
import { allowedHostSchema, hostAllowed } from './allowed-hosts.js';
import { compileBodyTemplate, type BodyTemplate } from '../template/body-template.js';
import { compileHeaderTemplate, type HeaderTemplate } from '../template/header-template.js';
import { compileUrlTemplate, type UrlTemplate } from '../template/url-template.js';
import type { Placeholders } from '../template/template-parts.js';
import { maxCommandTimeoutMs } from './command-deadline.js';
import { introspectionCommandSchema, type CompiledIntrospectionCommand, type IntrospectionCommandDefinition } from './introspection-command-schema.js';
import { optionSchema } from './option-schema.js';
import { durationMs, functionSchema } from './zod-helpers.js';

/** Where the identity fields sit in a partner's JSON answer (dotted paths). */
export interface IdentityFieldPaths {
  /** Path of the contact id. @default 'ContactId' */
  contactId?: string;
  /** Path of the contact e-mail. @default 'ContactEmail' */
  contactEmail?: string;
}

/**
 * A command sent as an HTTP request built from a template, as in the vendor's "Custom
 * Integration" screen.
 *
 * @example
 * ```ts
 * { method: 'POST', url: 'https://partner.example/sso/validate',
 *   body: '{"token":"{authToken}","ip":"{ipAddress}"}',
 *   headers: { authorization: 'Bearer partner-api-key' } }
 * ```
 */
export interface HttpCommandDefinition {
  /** HTTP method. @default 'POST' */
  method?: 'GET' | 'POST';
  /** Absolute http(s) URL; placeholders allowed in path and query only. Required. */
  url: string;
  /** Raw body template, JSON or form data; placeholders inside JSON strings or form values. POST only. */
  body?: string;
  /** Body format. @default detected: JSON when the template starts with `{` or `[`, else form */
  bodyFormat?: 'json' | 'form';
  /** Header key/value pairs; values take placeholders. @default { 'cache-control': 'no-cache' } */
  headers?: Record<string, string>;
  /** Deadline for the whole exchange. @default http.timeoutMs (5000) */
  timeoutMs?: number;
  /** Largest answer accepted. @default http.maxResponseBytes (65536) */
  maxResponseBytes?: number;
  /** Field paths for partners whose answer differs from `{ "ContactId": … }`. @default { contactId: 'ContactId', contactEmail: 'ContactEmail' } */
  identity?: IdentityFieldPaths;
  /** Host names this command may call (`partner.example`, `*.partner.example`). @default http.allowedHosts */
  allowedHosts?: string[];
}

/**
 * A command answered in process by an async function: return the answer object (parsed like a
 * partner's JSON), or `null` to reject the token. Throwing means "validator unavailable".
 *
 * @example
 * ```ts
 * { run: async ({ authToken }) => (await db.tokens.take(authToken)) ? { ContactId: 42 } : null }
 * ```
 */
export interface FunctionCommandDefinition {
  /** Validates the request; the signal aborts when the deadline passes. Required. */
  run: (placeholders: Placeholders, signal: AbortSignal) => unknown;
  /** Deadline. @default http.timeoutMs (5000) */
  timeoutMs?: number;
  /** Field paths when the answer is not `{ ContactId }`/`{ ContactEmail }`. @default { contactId: 'ContactId', contactEmail: 'ContactEmail' } */
  identity?: IdentityFieldPaths;
}

/**
 * One command definition: an HTTP template, an in-process function, or — for `ValidateBearer`
 * only — RFC 7662 token introspection.
 */
export type CommandDefinition = HttpCommandDefinition | FunctionCommandDefinition | IntrospectionCommandDefinition;

/** A command definition as written in options: fixed, or chosen per tenant by a function. */
export type CommandOption = CommandDefinition | ((tenant: string) => CommandDefinition);

/** An HTTP command with its templates compiled. */
export interface CompiledHttpCommand {
  readonly kind: 'http';
  readonly method: 'GET' | 'POST';
  readonly url: UrlTemplate;
  readonly body: BodyTemplate | undefined;
  readonly headers: HeaderTemplate;
  readonly timeoutMs: number | undefined;
  readonly maxResponseBytes: number | undefined;
  readonly identity: Required<IdentityFieldPaths>;
  readonly placeholders: readonly string[];
}

/** A function command, ready to run. */
export interface CompiledFunctionCommand {
  readonly kind: 'function';
  readonly run: FunctionCommandDefinition['run'];
  readonly timeoutMs: number | undefined;
  readonly identity: Required<IdentityFieldPaths>;
  readonly placeholders: readonly string[];
}

/** A validated, compiled command definition. */
export type CompiledCommand = CompiledHttpCommand | CompiledFunctionCommand | CompiledIntrospectionCommand;

/** A command whose answer the package reads for `ContactId` / `ContactEmail`: every kind but introspection. */
export type CompiledPartnerCommand = CompiledHttpCommand | CompiledFunctionCommand;

const fieldPath = z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, 'must be a dotted field path like "data.ContactId"');

/** Field paths of an answer's identity, with their defaults (`ContactId`, `ContactEmail`). */
export const identityPathsSchema = z
  .strictObject({ contactId: fieldPath.optional(), contactEmail: fieldPath.optional() })
  .optional()
  .transform((paths) => ({ contactId: paths?.contactId ?? 'ContactId', contactEmail: paths?.contactEmail ?? 'ContactEmail' }));

/** Runs a template compiler inside zod so its message lands on the right option path. */
function compiled<T>(compile: (input: string) => T, path: string[] = []) {
  return (input: string, ctx: z.RefinementCtx): T => {
    try {
      return compile(input);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path, message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  };
}

/** The fields of an HTTP command ({@link HttpCommandDefinition}), each default written here; the URL compiled. */
export const httpCommandFieldsSchema = optionSchema<HttpCommandDefinition>()(
  z.strictObject({
    method: z.enum(['GET', 'POST']).default('POST'),
    url: z.string().transform(compiled(compileUrlTemplate)),
    body: z.string().optional(),
    bodyFormat: z.enum(['json', 'form']).optional(),
    headers: z.record(z.string(), z.string()).default({ 'cache-control': 'no-cache' }),
    timeoutMs: durationMs(maxCommandTimeoutMs).optional(),
    maxResponseBytes: z.number().int().positive().max(16 * 1024 * 1024).optional(),
    identity: identityPathsSchema,
    allowedHosts: z.array(allowedHostSchema).optional(),
  }),
);

const httpCommandSchema = httpCommandFieldsSchema.transform((def, ctx): CompiledHttpCommand => {
  if (def.method === 'GET' && def.body !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['body'], message: 'a GET command cannot have a body' });
    return z.NEVER;
  }
  const body = def.body === undefined ? undefined : compiled((text) => compileBodyTemplate(text, def.bodyFormat), ['body'])(def.body, ctx);
  const headers = compiled(() => compileHeaderTemplate(def.headers), ['headers'])('', ctx);
  if (body === z.NEVER || headers === z.NEVER) return z.NEVER;
  if (def.allowedHosts !== undefined && !hostAllowed(def.url.origin, def.allowedHosts)) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: `host is not on allowedHosts (${def.allowedHosts.join(', ')})` });
    return z.NEVER;
  }
  return {
    kind: 'http',
    method: def.method,
    url: def.url,
    body,
    headers,
    timeoutMs: def.timeoutMs,
    maxResponseBytes: def.maxResponseBytes,
    identity: def.identity,
    placeholders: [...def.url.placeholders, ...(body?.placeholders ?? []), ...headers.placeholders],
  };
});

/** The fields of a function command ({@link FunctionCommandDefinition}). */
export const functionCommandFieldsSchema = optionSchema<FunctionCommandDefinition>()(
  z.strictObject({
    run: functionSchema<FunctionCommandDefinition['run']>(),
    timeoutMs: durationMs(maxCommandTimeoutMs).optional(),
    identity: identityPathsSchema,
  }),
);

const functionCommandSchema = functionCommandFieldsSchema.transform(
  (def): CompiledFunctionCommand => ({
    kind: 'function',
    run: def.run,
    timeoutMs: def.timeoutMs,
    identity: def.identity,
    placeholders: [],
  }),
);

/**
 * Validates and compiles one command definition. An object with `run` is a function command,
 * one with `kind: 'introspection'` an introspection command, anything else an HTTP template;
 * choosing up front keeps error messages about the right kind.
 */
export const commandDefinitionSchema = z.custom<CommandDefinition>().transform((value, ctx): CompiledCommand => {
  const schema: z.ZodType<CompiledCommand, unknown> =
    typeof value !== 'object' || value === null
      ? httpCommandSchema
      : 'run' in value
        ? functionCommandSchema
        : (value as { kind?: unknown }).kind === 'introspection'
          ? introspectionCommandSchema
          : httpCommandSchema;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
  return z.NEVER;
});
