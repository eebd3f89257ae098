/**
 * Why the licence hook refuses a logon, each with the vendor's number: `no-licence` → 10056,
 * `named-licence-unavailable` → 10057, `feature-missing` → 10100 (name the feature in
 * `featureId`), `no-interactive-application-licence` → 10285 (an application user's licence
 * that allows no interactive client; the context's `clientId` says which client asks).
 */
export type LicenceRefusal = 'no-licence' | 'named-licence-unavailable' | 'feature-missing' | 'no-interactive-application-licence';

/** What the licence hook decides. */
export type LicenceDecision =
  | {
      readonly allowed: true;
      readonly isApplicationLicence?: boolean;
      readonly isConcurrentLicence?: boolean;
      readonly isNamedLicence?: boolean;
    }
  | {
      readonly allowed: false;
      readonly reason: LicenceRefusal;
      /** The missing feature of the server licence, for `feature-missing` (audit log only). */
      readonly featureId?: string;
    };

/**
 * A user's absence, for the answer's `AbsenceInfo`. Dates are `Date`s, ISO 8601 strings or
 * milliseconds since the epoch.
 */
export interface AbsenceDecision {
  /** When the absence begins. */
  readonly start?: Date | string | number | null;
  /** When it ends. */
  readonly end?: Date | string | number | null;
  /** Whether the user is absent now. @default now is between `start` and `end` (an open end counts) */
  readonly absent?: boolean;
  /** The user id of the deputy who represents the user meanwhile. */
  readonly deputyUserId?: string | null;
}

/** What the two-step verification hook decides. */
export interface TwoStepDecision {
  /** `None`, or the second factor the client must complete (e.g. `Email`, `Sms`, `Authenticator`). */
  readonly type: string;
  /** Where a code was mailed, when `type` is mail-based. */
  readonly targetMail?: string | null;
}

/** Context handed to the policy hooks. */
export interface LogonContext {
  readonly tenant: string;
  readonly clientId: string | null;
  readonly ip: string;
  readonly tokenType: string;
}

/** What happens when a user already holds `maxSessionsPerUser` connections. */
export type TooManySessionsPolicy = 'refuse' | 'end-oldest';
