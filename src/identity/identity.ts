/**
 * Who a command says the user is. At least one of `contactId` and `contactEmail` is set;
 * `contactEmail` is lower-cased so apps can match it case-insensitively.
 */
export interface Identity {
  /** The partner's contact id (numbers arrive as strings). */
  readonly contactId?: string;
  /** The contact's e-mail address, lower-cased. */
  readonly contactEmail?: string;
  /** The tenant the sign-in is for. */
  readonly tenant: string;
  /** How the user proved who they are: `authToken`, `bearer`, `credentials`, a token type, … */
  readonly tokenType: string;
  /** Verified claims, for token types that carry them (JWT profiles). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/**
 * Lower-cases an e-mail address the way {@link Identity.contactEmail} is, for the app's side of
 * the comparison (`normalizeEmail(user.email) === identity.contactEmail`).
 */
export function normalizeEmail(email: string): string {
  // Normalised again after lower-casing, which can leave text that is not NFC: the result is its own normal form.
  return email.trim().normalize('NFC').toLowerCase().normalize('NFC');
}

/** The identity a session was opened for, kept so the user can be resolved on every request. */
export interface SessionIdentity {
  readonly contactId?: string;
  readonly contactEmail?: string;
  /** How the user signed in: `credentials`, `access-token`, a token type, … */
  readonly tokenType: string;
}

/**
 * The part of an identity a session keeps, always as one small object of the same shape (absent
 * fields are `undefined`): a hundred thousand sessions then share one hidden class in V8.
 */
export function toSessionIdentity(identity: SessionIdentity): SessionIdentity {
  return { contactId: identity.contactId, contactEmail: identity.contactEmail, tokenType: identity.tokenType };
}
