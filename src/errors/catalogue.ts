/**
 * The one catalogue of request-time failures. Each entry pairs a stable string code with the
 * vendor's number (where the seeds give one), an HTTP status and a message that is safe to show
 * to anybody. Numbers from 19000 up are this package's own; a number is never reused.
 */
export const catalogue = {
  login_failed: { number: 10006, status: 401, message: 'Can not login.' },
  tenant_not_found: { number: 10038, status: 404, message: 'Tenant not found.' },
  too_many_sessions: { number: 10055, status: 409, message: 'Too many sessions for user.' },
  licence_unavailable: { number: 10056, status: 403, message: 'No more licences available for the user.' },
  named_licence_unavailable: { number: 10057, status: 403, message: 'Named user licence not available.' },
  token_type_unknown: { number: 10060, status: 400, message: 'Token type unknown.' },
  token_version: { number: 10061, status: 401, message: 'Wrong token version.' },
  sender_clock_skew: { number: 10062, status: 401, message: 'Sender time stamp differs more than 1 minute!' },
  token_lifetime: { number: 10063, status: 401, message: 'Life time for token reached.' },
  hash_algorithm: { number: 10064, status: 401, message: 'Unknown hash algorithm found.' },
  signature_invalid: { number: 10065, status: 401, message: 'Signature of token not valid!' },
  client_id: { number: 10089, status: 403, message: 'Wrong client Id parameter.' },
  licence_feature_missing: { number: 10100, status: 403, message: 'Missing feature in server license.' },
  ip_not_allowed: { number: 10222, status: 403, message: 'Invalid ip address for user.' },
  upn_claim_missing: { number: 10244, status: 401, message: 'JWT Token UPN Identifier not found.' },
  validator_unavailable: {
    number: 10246,
    status: 503,
    message: 'The validation service is unavailable. Try again later.',
  },
  api_token_invalid: { number: 10268, status: 401, message: 'Api token is not valid.' },
  interactive_logon_not_allowed: { number: 10285, status: 403, message: 'No interactive login with application user licence allowed.' },
  token_invalid: { number: 10376, status: 401, message: 'Token not valid.' },
  user_deactivated: { number: 19001, status: 403, message: 'User is deactivated.' },
  invalid_request: { number: 19002, status: 400, message: 'The request is malformed.' },
  rate_limited: { number: 19003, status: 429, message: 'Too many attempts. Try again later.' },
  store_unavailable: { number: 19004, status: 503, message: 'A backing service is unavailable. Try again later.' },
  token_missing: { number: 19005, status: 401, message: 'Authentication required.' },
  insufficient_scope: { number: 19006, status: 403, message: 'The token does not grant the required scope.' },
} as const satisfies Record<string, { number: number; status: number; message: string }>;

/** Every error code the package can answer with; `switch (err.code)` over it is exhaustive. */
export type ErrorCode = keyof typeof catalogue;

/** One catalogue entry: vendor number, HTTP status and public message. */
export type CatalogueEntry = (typeof catalogue)[ErrorCode];
