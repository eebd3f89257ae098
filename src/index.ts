export { createLoginWithToken, type LoginWithToken } from './create-login-with-token.js';
export type {
  LoginWithTokenOptions,
  TenantOptions,
  HandoffOptions,
  SessionTokenOptions,
  BearerOptions,
  RateLimitOptions,
  LogonOptions,
  ConnectionJwtOptions,
  EmbeddingOptions,
} from './login-with-token-options.js';
export type {
  TokenTypeDefinition,
  ApiTokenTypeDefinition,
  SignedSenderTokenTypeDefinition,
  JwtProfileDefinition,
  AsymmetricAlgorithm,
} from './config/token-type-schema.js';
export type { LogonResultContract } from './logon/logon-with-token.js';
export type { ConfirmedConnection } from './logon/confirm-second-factor.js';
export type { LicenceDecision, LicenceRefusal, TwoStepDecision, AbsenceDecision, LogonContext, TooManySessionsPolicy } from './logon/logon-policies.js';
export type { AbsenceInfoContract } from './logon/absence-info.js';
export { signSenderToken, type SignSenderTokenInput } from './logon/sign-sender-token.js';
export { ApiTokens, type CreateApiTokenInput, type CreatedApiToken, type ApiTokenInfo } from './api-tokens/api-tokens.js';
export { apiTokenPrefix } from './api-tokens/api-token-secret.js';
export type { ApiTokenStore, StoredApiToken } from './store/api-token-store.js';
export { authTokenStrategyName } from './adapters/auth-token-strategy.js';
export { bearerStrategyName } from './adapters/bearer-strategy.js';
export type { BearerInfo } from './bearer/authenticate-bearer.js';
export { extractBearerToken, type BearerExtraction } from './bearer/extract-bearer-token.js';
export { sessionTokenPrefix } from './credentials/session-token.js';
export { tokenRequestSchema, type TokenRequest } from './credentials/token-request.js';
export type { PassportStrategy } from './adapters/passport-strategy.js';
export type { SessionState } from './adapters/session-state.js';
export { catalogue, type ErrorCode, type CatalogueEntry } from './errors/catalogue.js';
export { LoginError, isLoginError, type LoginErrorOptions } from './errors/login-error.js';
export { OptionsError, type OptionsErrorCode, type OptionProblem } from './errors/options-error.js';
export type {
  CommandDefinition,
  CommandOption,
  HttpCommandDefinition,
  FunctionCommandDefinition,
  IdentityFieldPaths,
  CompiledCommand,
  CompiledHttpCommand,
  CompiledFunctionCommand,
} from './config/command-schema.js';
export type { Command, CommandExecutor, CommandName } from './executor/command-executor.js';
export { createHttpExecutor, type HttpExecutorOptions } from './executor/http-executor.js';
export { createFunctionExecutor } from './executor/function-executor.js';
export { createDefaultExecutor } from './executor/default-executor.js';
export { normalizeEmail, type Identity } from './identity/identity.js';
export type { Placeholders } from './template/template-parts.js';
export type { RequestInfo } from './request/request-info.js';
export type { PlaceholderSource } from './request/placeholder-builder.js';
export type { AuditEvent, AuditEventType, AuditSink } from './audit/audit-event.js';
export type { Store } from './store/store.js';
export type { SessionStore, StoredSession, SessionIdentity, UserSessionEntry } from './store/session-store.js';
export type { RateLimitStore, RateCounter } from './store/rate-limit-store.js';
export type { OneTimeLedger, Reservation } from './store/one-time-ledger.js';
export type { Clock } from './time/clock.js';
export { MemoryStore, type MemoryStoreOptions } from './store/memory-store.js';
export { safeReturnTo } from './handoff/safe-return-to.js';
