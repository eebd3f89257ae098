export { createLoginWithToken, type LoginWithToken } from './create-login-with-token.js';

export type { LoginWithTokenOptions } from './options/login-with-token-options.js';
export type { TenantOptions } from './options/tenant-options.js';
export type { HttpOptions } from './destination/http-options.js';
export type { HandoffOptions } from './handoff/handoff-options.js';
export type { SessionTokenOptions } from './credentials/session-token-options.js';
export type { BearerOptions } from './bearer/bearer-options.js';
export type { RateLimitOptions } from './rate-limit/rate-limit-options.js';
export type { EmbeddingOptions, EmbeddedCookieOptions } from './embedding/embedding-options.js';
export type { LogonOptions } from './logon/logon-options.js';
export type { ConnectionJwtOptions } from './logon/connection-jwt-options.js';
export type { TelemetryOptions } from './telemetry/telemetry-options.js';
export type { CommandDefinition, CommandOption, HttpCommandDefinition, FunctionCommandDefinition, IdentityFieldPaths } from './config/command-schema.js';
export type { IntrospectionCommandDefinition, IntrospectionClientAuth } from './config/introspection-command-schema.js';
export type {
  TokenTypeDefinition,
  ApiTokenTypeDefinition,
  SignedSenderTokenTypeDefinition,
  JwtProfileDefinition,
  AsymmetricAlgorithm,
} from './config/token-type-schema.js';

export { normalizeEmail, type Identity } from './identity/identity.js';
export type { RequestInfo } from './request/request-info.js';
export type { PlaceholderSource } from './request/placeholder-builder.js';
export type { Placeholders } from './template/template-parts.js';
export type { LicenceDecision, LicenceRefusal, TwoStepDecision, AbsenceDecision, LogonContext, TooManySessionsPolicy } from './logon/logon-hooks.js';
export type { AuditEvent, AuditEventType, AuditSink } from './audit/audit-event.js';

export type { BearerInfo } from './bearer/bearer-authentication.js';
export type { ConfirmedConnection } from './logon/confirm-second-factor.js';
export type { ApiTokens, CreateApiTokenInput, CreatedApiToken, ApiTokenInfo } from './api-tokens/api-tokens.js';
export { authTokenStrategyName } from './adapters/auth-token-strategy.js';
export { bearerStrategyName } from './adapters/bearer-strategy.js';
export type { PassportStrategy } from './adapters/passport-strategy.js';

export { catalogue, type ErrorCode, type CatalogueEntry } from './errors/catalogue.js';
export { LoginError, isLoginError, type LoginErrorOptions } from './errors/login-error.js';
export { OptionsError, type OptionsErrorCode, type OptionProblem } from './errors/options-error.js';

export type { Command, CommandExecutor, CommandName } from './executor/command-executor.js';
export { createHttpExecutor, type HttpExecutorOptions } from './executor/http-executor.js';
export { createFunctionExecutor, type FunctionExecutorOptions } from './executor/function-executor.js';

export { MemoryStore } from './store/memory-store.js';
export type { MemoryStoreOptions } from './store/memory-store-options.js';
export type { Store, StoreRoles, ComposedStore, StoreRole } from './store/store.js';
export type { OneTimeLedger, Reservation } from './store/one-time-ledger.js';
export type { SessionStore, StoredSession, SessionIdentity, UserSessionEntry } from './store/session-store.js';
export type { ApiTokenStore, StoredApiToken } from './store/api-token-store.js';
export type { RateLimitStore, RateCounter } from './store/rate-limit-store.js';

export { signSenderToken, type SignSenderTokenInput } from './logon/sign-sender-token.js';
