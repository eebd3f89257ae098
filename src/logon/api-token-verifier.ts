import { storeKeys } from '../store/store-keys.js';
import { LoginError } from '../errors/login-error.js';
import type { ApiTokenStore } from '../store/api-token-store.js';
import type { TokenVerifier, VerifiedToken } from './token-verifier.js';

/** `tokenType: "apitoken"`: a token from `login.apiTokens.create`, found by hash; invalid → 10268. */
export function createApiTokenVerifier(store: ApiTokenStore): TokenVerifier {
  return {
    async verify(token: string, tenant: string): Promise<VerifiedToken> {
      const found = await store.find(storeKeys.apiToken(token));
      if (found === undefined || found.tenant !== tenant) {
        throw new LoginError('api_token_invalid', { reason: 'unknown, revoked or expired api token' });
      }
      return { identity: found.identity };
    },
  };
}
