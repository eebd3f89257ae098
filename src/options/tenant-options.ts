import { z } from 'zod';
import { commandDefinitionSchema, type CommandDefinition } from '../config/command-schema.js';
import { jwtProfileIdsSchema } from '../bearer/bearer-options.js';
import { optionSchema } from '../config/option-schema.js';
import type { TokenTypeDefinition } from '../config/token-type-schema.js';
import { frameAncestorsSchema } from '../embedding/embedding-options.js';
import type { CommandName } from '../executor/command-executor.js';
import { clientIdsSchema, tokenTypesSchema } from '../logon/logon-options.js';

/** Options `tenants.<name>`: one tenant's own settings, each winning over the top-level one. */
export interface TenantOptions {
  /** Command definitions for this tenant; they win over the top-level `commands`. @default {} */
  commands?: Partial<Record<CommandName, CommandDefinition>>;
  /** LogonWithToken token types for this tenant; they win over `logon.tokenTypes` of the same name. @default {} */
  tokenTypes?: Record<string, TokenTypeDefinition>;
  /** Client ids allowed to call LogonWithToken for this tenant (10089 otherwise). @default logon.clientIds */
  clientIds?: string[];
  /** Whether this tenant's LogonWithToken clients must send a `clientId` (10089 otherwise). @default logon.requireClientId */
  requireClientId?: boolean;
  /** Partner origins that may frame this tenant's portal after an embedded handoff. @default embedding.frameAncestors */
  frameAncestors?: string[];
  /** JWT profiles whose access tokens this tenant's API routes verify locally. @default bearer.jwtProfiles */
  jwtProfiles?: string[];
}

/** Command names: 1–64 letters, digits, `_`, `.` or `-` (tenant names follow the same rule). */
export const nameSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, "_", "." or "-"');

/** Validates {@link TenantOptions}; every default is written here. */
export const tenantOptionsSchema = optionSchema<TenantOptions>()(
  z.strictObject({
    commands: z.partialRecord(nameSchema, commandDefinitionSchema).default({}),
    tokenTypes: tokenTypesSchema,
    clientIds: clientIdsSchema.optional(),
    requireClientId: z.boolean().optional(),
    frameAncestors: frameAncestorsSchema.optional(),
    jwtProfiles: jwtProfileIdsSchema.optional(),
  }),
);

/** {@link TenantOptions} after validation, commands compiled. */
export type ParsedTenantOptions = z.output<typeof tenantOptionsSchema>;
