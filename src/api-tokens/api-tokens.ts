import { z } from 'zod';
import { validateOptions } from '../config/validate-options.js';
import { storableText } from '../config/zod-helpers.js';
import { normalizeEmail } from '../identity/identity.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { ApiTokenStore, StoredApiToken } from '../store/api-token-store.js';
import type { Clock } from '../time/clock.js';
import { storeKeys } from '../store/store-keys.js';
import { mintApiTokenId, mintApiTokenSecret } from './api-token-secret.js';

/** What {@link ApiTokens.create} needs. */
export interface CreateApiTokenInput {
  /** Tenant of the token. @default the only tenant */
  tenant?: string;
  /** The portal user's id (for listing and audit). Required. */
  userId: string;
  /** The contact id LogonWithToken resolves the user by; this or `contactEmail` is required. */
  contactId?: string;
  /** The e-mail LogonWithToken resolves the user by. */
  contactEmail?: string;
  /** A label, e.g. "Nightly export". */
  name?: string;
  /** Expiry, milliseconds since the epoch. @default never */
  expiresAt?: number;
}

/** A token just created: the secret is in `token` and is never shown again. */
export interface CreatedApiToken extends Omit<StoredApiToken, 'identity'> {
  readonly token: string;
}

/** API token metadata as listed: no secret, no hash. */
export type ApiTokenInfo = Omit<StoredApiToken, 'identity'>;

const createSchema = z
  .strictObject({
    tenant: z.string().optional(),
    userId: storableText().min(1).max(256),
    contactId: storableText().min(1).max(256).optional(),
    contactEmail: storableText().min(3).max(320).optional(),
    name: storableText().min(1).max(200).optional(),
    expiresAt: z.number().int().positive().optional(),
  })
  .refine((input) => input.contactId !== undefined || input.contactEmail !== undefined, {
    message: 'needs contactId or contactEmail',
    path: ['contactId'],
  });

/**
 * The portal's programmatic API for long-lived API tokens (LogonWithToken `tokenType:
 * "apitoken"`): create (the secret is returned once and stored only as a hash), list, revoke.
 */
export class ApiTokens {
  readonly #store: ApiTokenStore;
  readonly #tenants: TenantResolver;
  readonly #now: Clock;

  constructor(store: ApiTokenStore, tenants: TenantResolver, now: Clock) {
    this.#store = store;
    this.#tenants = tenants;
    this.#now = now;
  }

  /** Creates a token for a user; throws a `TypeError` for bad input, `tenant_not_found` for an unknown tenant. */
  async create(input: CreateApiTokenInput): Promise<CreatedApiToken> {
    const valid = validateOptions(createSchema, input, 'login-with-token', ['apiTokens.create']);
    const tenant = this.#tenants.byName(valid.tenant);
    const token = mintApiTokenSecret();
    const record: StoredApiToken = {
      id: mintApiTokenId(),
      tenant,
      userId: valid.userId,
      identity: {
        ...(valid.contactId === undefined ? {} : { contactId: valid.contactId }),
        ...(valid.contactEmail === undefined ? {} : { contactEmail: normalizeEmail(valid.contactEmail) }),
        tokenType: 'apitoken',
      },
      ...(valid.name === undefined ? {} : { name: valid.name }),
      createdAt: this.#now(),
      ...(valid.expiresAt === undefined ? {} : { expiresAt: valid.expiresAt }),
    };
    await this.#store.create(storeKeys.apiToken(token), record);
    return { ...withoutIdentity(record), token };
  }

  /** Live tokens of a tenant (of one user when `userId` is given), without secrets. */
  async list(filter: { tenant?: string; userId?: string } = {}): Promise<ApiTokenInfo[]> {
    const tokens = await this.#store.list(this.#tenants.byName(filter.tenant), filter.userId);
    return tokens.map(withoutIdentity);
  }

  /** Revokes token `id`; the next LogonWithToken with it fails. */
  async revoke(id: string, tenant?: string): Promise<boolean> {
    return this.#store.revoke(this.#tenants.byName(tenant), id);
  }
}

function withoutIdentity({ identity: _identity, ...info }: StoredApiToken): ApiTokenInfo {
  return info;
}
