import type { AbsenceInfoContract } from './absence-info.js';
import type { GrantedLicence } from './licence-policy.js';
import type { TwoStepDecision } from './logon-hooks.js';

/** The vendor's `LogonResultContract`, field for field. */
export interface LogonResultContract {
  /** The user's absence (by default: not absent, no dates, no deputy). */
  AbsenceInfo: AbsenceInfoContract;
  ConnectionId: string;
  ConnectionTimeoutSeconds: number;
  IsApplicationLicence: boolean;
  IsConcurrentLicence: boolean;
  IsNamedLicence: boolean;
  IsVerificationCodeNeeded: boolean;
  PossibleTwoWayAuthenticationType: string;
  TwoWayAuthenticationTargetMail: string | null;
  JWTToken: string;
}

/** What a granted logon answers: the connection, its timeout and JWT, and what the policies decided. */
export function logonResult(parts: {
  readonly connectionId: string;
  readonly connectionTimeoutSeconds: number;
  readonly jwt: string;
  readonly licence: GrantedLicence;
  readonly twoStep: TwoStepDecision;
  readonly absence: AbsenceInfoContract;
}): LogonResultContract {
  return {
    AbsenceInfo: parts.absence,
    ConnectionId: parts.connectionId,
    ConnectionTimeoutSeconds: parts.connectionTimeoutSeconds,
    IsApplicationLicence: parts.licence.isApplicationLicence ?? false,
    IsConcurrentLicence: parts.licence.isConcurrentLicence ?? false,
    IsNamedLicence: parts.licence.isNamedLicence ?? false,
    IsVerificationCodeNeeded: parts.twoStep.type !== 'None',
    PossibleTwoWayAuthenticationType: parts.twoStep.type,
    TwoWayAuthenticationTargetMail: parts.twoStep.targetMail ?? null,
    JWTToken: parts.jwt,
  };
}
