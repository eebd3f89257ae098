import { describe, expect, it } from 'vitest';
import { toAbsenceInfo } from '../src/logon/absence-info.js';
import { logonResult } from '../src/logon/logon-result.js';
import { recordSecret } from './support/secrets.js';

const connectionId = recordSecret('6bc655a4-c079-4535-a733-f259e3232a3a');
const jwt = recordSecret('eyJhbGciOiJFUzI1NiJ9.eyJzaWQiOiJ4In0.c2lnbmF0dXJl');
const notAbsent = toAbsenceInfo(undefined, 0);

describe('logonResult', () => {
  it('answers the vendor’s LogonResultContract, field for field and in its order', () => {
    const result = logonResult({ connectionId, connectionTimeoutSeconds: 600, jwt, licence: { allowed: true, isConcurrentLicence: true }, twoStep: { type: 'None' }, absence: notAbsent });
    expect(Object.keys(result)).toEqual([
      'AbsenceInfo',
      'ConnectionId',
      'ConnectionTimeoutSeconds',
      'IsApplicationLicence',
      'IsConcurrentLicence',
      'IsNamedLicence',
      'IsVerificationCodeNeeded',
      'PossibleTwoWayAuthenticationType',
      'TwoWayAuthenticationTargetMail',
      'JWTToken',
    ]);
    expect(result).toEqual({
      AbsenceInfo: notAbsent,
      ConnectionId: connectionId,
      ConnectionTimeoutSeconds: 600,
      IsApplicationLicence: false,
      IsConcurrentLicence: true,
      IsNamedLicence: false,
      IsVerificationCodeNeeded: false,
      PossibleTwoWayAuthenticationType: 'None',
      TwoWayAuthenticationTargetMail: null,
      JWTToken: jwt,
    });
  });

  it('copies each licence flag, false when the hook left it out', () => {
    const named = logonResult({ connectionId, connectionTimeoutSeconds: 60, jwt, licence: { allowed: true, isNamedLicence: true, isApplicationLicence: true }, twoStep: { type: 'None' }, absence: notAbsent });
    expect(named).toMatchObject({ IsApplicationLicence: true, IsConcurrentLicence: false, IsNamedLicence: true });
  });

  it('asks for a verification code for any second factor but None, with its target mail', () => {
    const pending = logonResult({ connectionId, connectionTimeoutSeconds: 60, jwt: '', licence: { allowed: true }, twoStep: { type: 'Email', targetMail: 'a***@example.com' }, absence: notAbsent });
    expect(pending).toMatchObject({ IsVerificationCodeNeeded: true, PossibleTwoWayAuthenticationType: 'Email', TwoWayAuthenticationTargetMail: 'a***@example.com', JWTToken: '' });
    const sms = logonResult({ connectionId, connectionTimeoutSeconds: 60, jwt: '', licence: { allowed: true }, twoStep: { type: 'Sms', targetMail: undefined }, absence: notAbsent });
    expect(sms).toMatchObject({ IsVerificationCodeNeeded: true, TwoWayAuthenticationTargetMail: null });
  });

  it('passes the absence through as given', () => {
    const absence = toAbsenceInfo({ start: '2026-12-24', deputyUserId: 'u-7' }, Date.parse('2026-12-25'));
    expect(logonResult({ connectionId, connectionTimeoutSeconds: 60, jwt, licence: { allowed: true }, twoStep: { type: 'None' }, absence }).AbsenceInfo).toBe(absence);
  });

  it('carries nothing else the hooks returned into the answer', () => {
    const licence = { allowed: true, isConcurrentLicence: true, internalSeat: 'seat-42' } as never;
    const twoStep = { type: 'None', secret: 'otp-seed' } as never;
    const text = JSON.stringify(logonResult({ connectionId, connectionTimeoutSeconds: 60, jwt, licence, twoStep, absence: notAbsent }));
    expect(text).not.toContain('seat-42');
    expect(text).not.toContain('otp-seed');
    expect(text).not.toContain('allowed');
  });
});
