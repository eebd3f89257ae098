export {
  startPartnerSimulator,
  type PartnerSimulator,
  type PartnerSimulatorOptions,
  type PartnerPortalOptions,
  type PartnerContact,
  type ContactReference,
  type MintAuthTokenInput,
  type MintBearerTokenInput,
  type PartnerFault,
} from './testing/partner-simulator.js';
export { PartnerCall, type PartnerEndpoint, type RawPartnerCall } from './testing/partner-call.js';
export {
  signInWithHandoff,
  issueSessionToken,
  logonWithToken,
  type PortalTarget,
  type SessionAgent,
  type AgentRequest,
  type HandoffInput,
  type SessionTokenCredentials,
  type LogonWithTokenBody,
  type MountOption,
} from './testing/portal-requests.js';
export { testTokenTypes, type TestTokenTypes, type TestTokenTypesOptions, type TestJwtInput } from './testing/test-token-types.js';
export { expectSignedIn, expectLoginError, expectBearerChallenge, type PortalResponse, type ExpectedBearerChallenge } from './testing/expectations.js';
