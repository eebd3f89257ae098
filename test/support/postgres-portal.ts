import { generateKeyPairSync } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ComposedStore, LoginWithTokenOptions, Store } from '../../src/index.js';
import { createTestPortal, newToken, type TestPortal, type TestUser } from './portal-app.js';
import { recordSecret } from './secrets.js';

/** Alice's password at `authentication/token` (`username: 'alice'`). */
export const alicePassword = recordSecret('alice-password-on-shared-stores');

/** The device whose pass code signs Bob in (`access_token_identifier.identifier`). */
export const bobDevice = 'kiosk-7';

/** The pass code of {@link bobDevice}. */
export const bobPassCode = recordSecret('kiosk-7-pass-code-58213');

/** The `hashKey` every instance of a shared-store portal shares. */
export const sharedHashKey = recordSecret('shared-store-suites-hash-key-4e91c0');

/** The connection-JWT key every instance of a shared-store portal shares. */
export const sharedJwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/** The partner behind the handoff: the tokens it accepts (as Alice) and how long it thinks first. */
export class HandoffPartner {
  readonly #accepted = new Set<string>();
  /** How long each answer takes, so that concurrent redemptions really overlap. */
  delayMs = 0;

  /** A fresh token the partner accepts (recorded for the leak checks). */
  token(): string {
    const token = newToken('pg');
    this.#accepted.add(token);
    return token;
  }

  /** The `LoginWithToken` function command. */
  readonly command = {
    run: async ({ authToken }: { authToken?: string }, signal: AbortSignal) => {
      if (this.delayMs > 0) await delay(this.delayMs, undefined, { signal });
      return this.#accepted.has(authToken ?? '') ? { ContactId: 1001 } : null;
    },
  };
}

/**
 * A test portal configured as every instance of one deployment on a shared store: the same
 * `hashKey` and JWT key, the handoff through `partner`, Alice's password, Bob's device pass code
 * and the `apitoken` token type.
 */
export function createSharedStorePortal(store: Store | ComposedStore, partner: HandoffPartner, options: Partial<LoginWithTokenOptions<TestUser>> = {}): TestPortal {
  return createTestPortal({
    store,
    hashKey: sharedHashKey,
    commands: {
      LoginWithToken: partner.command,
      VerifyCredentials: { run: ({ username, password }) => (username === 'alice' && password === alicePassword ? { ContactId: 1001 } : null) },
      VerifyAccessToken: { run: ({ identifier, passCode }) => (identifier === bobDevice && passCode === bobPassCode ? { ContactId: 1002 } : null) },
    },
    ...options,
    logon: { tokenTypes: { apitoken: { kind: 'apitoken' } }, ...options.logon, jwt: { privateKey: sharedJwtKey, ...options.logon?.jwt } },
  });
}
