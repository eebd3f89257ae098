import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { z } from 'zod';
import { bearerOptionsSchema } from '../../src/bearer/bearer-options.js';
import { functionCommandFieldsSchema, httpCommandFieldsSchema, identityPathsSchema } from '../../src/config/command-schema.js';
import { introspectionCommandFieldsSchema } from '../../src/config/introspection-command-schema.js';
import { jwtProfileSchema, signedSenderTypeSchema } from '../../src/config/token-type-schema.js';
import { sessionTokenOptionsSchema } from '../../src/credentials/session-token-options.js';
import { httpOptionsSchema } from '../../src/destination/http-options.js';
import { embeddedCookieOptionsSchema, embeddingOptionsSchema } from '../../src/embedding/embedding-options.js';
import { handoffOptionsSchema } from '../../src/handoff/handoff-options.js';
import { connectionJwtOptionsSchema } from '../../src/logon/connection-jwt-options.js';
import { logonOptionsSchema } from '../../src/logon/logon-options.js';
import { loginWithTokenOptionsSchema } from '../../src/options/login-with-token-options.js';
import { tenantOptionsSchema } from '../../src/options/tenant-options.js';
import { rateLimitOptionsSchema } from '../../src/rate-limit/rate-limit-options.js';
import { memoryStoreOptionsSchema } from '../../src/store/memory-store-options.js';
import { postgresStoreOptionsSchema } from '../../src/store/postgres/postgres-store-options.js';
import { redisStoreOptionsSchema } from '../../src/store/redis/redis-store-options.js';
import { telemetryOptionsSchema } from '../../src/telemetry/telemetry-options.js';

export const root = join(import.meta.dirname, '..', '..');

const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/**
 * One documented option group: where its TSDoc lives (interfaces; the first holds the group's
 * own options), how the README's headings name its options, and its schema with a sample that
 * fills the required options (whatever the sample gives is "required", the rest is default).
 */
export interface DocumentedGroup {
  readonly interfaces: readonly (readonly [file: string, name: string])[];
  /** Heading prefix: `http` → `#### http.timeoutMs`; '' for the top level. */
  readonly prefix: string;
  /** For groups that share a prefix, the word in parentheses after the heading: `(jwt)`. */
  readonly variant?: string;
  readonly schema: z.ZodType;
  readonly sample: Record<string, unknown>;
  /** Options documented as groups of their own, or elsewhere. */
  readonly skip?: readonly string[];
}

export const documentedGroups: readonly DocumentedGroup[] = [
  {
    interfaces: [['src/options/login-with-token-options.ts', 'LoginWithTokenOptions'], ['src/users/user-directory.ts', 'UserDirectoryOptions']],
    prefix: '',
    schema: loginWithTokenOptionsSchema,
    sample: { resolveUser: () => null },
    skip: ['http', 'handoff', 'sessionTokens', 'bearer', 'rateLimits', 'embedding', 'logon', 'telemetry'],
  },
  { interfaces: [['src/options/tenant-options.ts', 'TenantOptions']], prefix: 'tenants.<name>', schema: tenantOptionsSchema, sample: {} },
  { interfaces: [['src/destination/http-options.ts', 'HttpOptions']], prefix: 'http', schema: httpOptionsSchema, sample: {} },
  { interfaces: [['src/handoff/handoff-options.ts', 'HandoffOptions']], prefix: 'handoff', schema: handoffOptionsSchema, sample: {} },
  { interfaces: [['src/credentials/session-token-options.ts', 'SessionTokenOptions']], prefix: 'sessionTokens', schema: sessionTokenOptionsSchema, sample: {} },
  { interfaces: [['src/bearer/bearer-options.ts', 'BearerOptions']], prefix: 'bearer', schema: bearerOptionsSchema, sample: {} },
  { interfaces: [['src/rate-limit/rate-limit-options.ts', 'RateLimitOptions']], prefix: 'rateLimits', schema: rateLimitOptionsSchema, sample: {} },
  { interfaces: [['src/embedding/embedding-options.ts', 'EmbeddingOptions']], prefix: 'embedding', schema: embeddingOptionsSchema, sample: {}, skip: ['cookie'] },
  { interfaces: [['src/embedding/embedding-options.ts', 'EmbeddedCookieOptions']], prefix: 'embedding.cookie', schema: embeddedCookieOptionsSchema, sample: {} },
  { interfaces: [['src/logon/logon-options.ts', 'LogonOptions']], prefix: 'logon', schema: logonOptionsSchema, sample: {}, skip: ['jwt'] },
  { interfaces: [['src/logon/connection-jwt-options.ts', 'ConnectionJwtOptions']], prefix: 'logon.jwt', schema: connectionJwtOptionsSchema, sample: {} },
  { interfaces: [['src/telemetry/telemetry-options.ts', 'TelemetryOptions']], prefix: 'telemetry', schema: telemetryOptionsSchema, sample: {} },
  {
    interfaces: [['src/config/command-schema.ts', 'HttpCommandDefinition']],
    prefix: 'commands.<name>',
    variant: 'HTTP',
    schema: httpCommandFieldsSchema,
    sample: { url: 'https://partner.example/validate' },
  },
  {
    interfaces: [['src/config/command-schema.ts', 'FunctionCommandDefinition']],
    prefix: 'commands.<name>',
    variant: 'function',
    schema: functionCommandFieldsSchema,
    sample: { run: () => null },
  },
  {
    interfaces: [['src/config/introspection-command-schema.ts', 'IntrospectionCommandDefinition']],
    prefix: 'commands.<name>',
    variant: 'introspection',
    schema: introspectionCommandFieldsSchema,
    sample: { kind: 'introspection', clientAuth: { clientId: 'portal', clientSecret: 'secret' } },
    skip: ['kind'],
  },
  { interfaces: [['src/config/command-schema.ts', 'IdentityFieldPaths']], prefix: 'commands.<name>.identity', schema: identityPathsSchema, sample: {} },
  {
    interfaces: [['src/config/token-type-schema.ts', 'SignedSenderTokenTypeDefinition']],
    prefix: 'tokenTypes.<name>',
    variant: 'signed-sender',
    schema: signedSenderTypeSchema,
    sample: { kind: 'signed-sender', keys: [publicKey] },
    skip: ['kind'],
  },
  {
    interfaces: [['src/config/token-type-schema.ts', 'JwtProfileDefinition']],
    prefix: 'tokenTypes.<name>',
    variant: 'jwt',
    schema: jwtProfileSchema,
    sample: { kind: 'jwt', issuer: 'https://idp.example/', audience: 'portal', keys: [publicKey] },
    skip: ['kind', 'keys'],
  },
  { interfaces: [['src/store/memory-store-options.ts', 'MemoryStoreOptions']], prefix: 'MemoryStore', schema: memoryStoreOptionsSchema, sample: {} },
  {
    interfaces: [['src/store/redis/redis-store-options.ts', 'RedisStoreOptions']],
    prefix: 'RedisStore',
    schema: redisStoreOptionsSchema,
    sample: { client: { evalsha: () => undefined } },
  },
  {
    interfaces: [['src/store/postgres/postgres-store-options.ts', 'PostgresStoreOptions']],
    prefix: 'PostgresStore',
    schema: postgresStoreOptionsSchema,
    sample: { pool: { connect: () => undefined, waitingCount: 0, idleCount: 0, totalCount: 0 } },
  },
];

/** One option of a group as its TSDoc states it. */
export interface DocumentedOption {
  readonly name: string;
  /** The text after `@default`, when there is one. */
  readonly documentedDefault: string | undefined;
  /** The comment's text, without tags. */
  readonly description: string;
}

/** The options of a group's interfaces with their TSDoc, read from the source. */
export function documentedOptions(group: DocumentedGroup): DocumentedOption[] {
  return group.interfaces.flatMap(([file, name]) => {
    const source = ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
    const declaration = source.statements.find((statement): statement is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(statement) && statement.name.text === name);
    if (declaration === undefined) throw new Error(`${file} declares no interface ${name}`);
    return declaration.members.filter(ts.isPropertySignature).map((member) => {
      const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      const tag = docs.flatMap((doc) => doc.tags ?? []).find((entry) => entry.tagName.text === 'default');
      const text = (comment: ts.JSDoc['comment']) => (typeof comment === 'string' ? comment : (comment ?? []).map((part) => part.getText()).join(''));
      return {
        name: member.name.getText(),
        documentedDefault: tag === undefined ? undefined : text(tag.comment).trim(),
        description: docs.map((doc) => text(doc.comment)).join(' ').trim(),
      };
    });
  });
}

/** What the schema says about one option: required (the sample had to give it), or its default (undefined: none). */
export function schemaDefault(group: DocumentedGroup, name: string): { required: true } | { required: false; value: unknown } {
  if (Object.hasOwn(group.sample, name)) return { required: true };
  const parsed = group.schema.parse(group.sample) as Record<string, unknown>;
  return { required: false, value: parsed[name] };
}

/**
 * The JavaScript literal a default's text starts with (`600000 (10 min)` → 600000, `'/'`,
 * `['RS256']`, `{ 'cache-control': 'no-cache' }`), or undefined when it starts with prose.
 */
export function leadingLiteral(text: string): { value: unknown } | undefined {
  const trimmed = text.trim();
  const simple = /^(-?[\d_]+(?:\.\d+)?|true|false|null|'[^']*')(?=$|[\s.,;)—])/.exec(trimmed);
  let literal = simple?.[1];
  if (literal === undefined && /^[[{]/.test(trimmed)) {
    let depth = 0;
    let quoted = false;
    for (let index = 0; index < trimmed.length; index++) {
      const character = trimmed[index]!;
      if (character === "'") quoted = !quoted;
      if (quoted) continue;
      if (character === '[' || character === '{') depth++;
      if (character === ']' || character === '}') depth--;
      if (depth === 0) {
        literal = trimmed.slice(0, index + 1);
        break;
      }
    }
  }
  if (literal === undefined) return undefined;
  return { value: new Function(`return (${literal.replace(/(\d)_(?=\d)/g, '$1')});`)() as unknown };
}
