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
      /** `no-licence` → 10056, `named-licence-unavailable` → 10057. */
      readonly reason: 'no-licence' | 'named-licence-unavailable';
    };

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
