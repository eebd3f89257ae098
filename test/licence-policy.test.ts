import { describe, expect, it } from 'vitest';
import { LoginError } from '../src/errors/login-error.js';
import type { LicenceDecision, LogonContext } from '../src/logon/logon-hooks.js';
import { checkLicence } from '../src/logon/licence-policy.js';

const user = { id: 'u-1' };
const context: LogonContext = { tenant: 'acme', clientId: 'portal-app', ip: '192.0.2.1', tokenType: 'apitoken' };

async function refusal(decision: LicenceDecision): Promise<LoginError> {
  const error = await checkLicence(() => decision, user, context).then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  return error as LoginError;
}

describe('checkLicence', () => {
  it('grants a concurrent licence to everybody without a hook', async () => {
    expect(await checkLicence(undefined, user, context)).toEqual({ allowed: true, isConcurrentLicence: true });
  });

  it('returns the hook’s grant with its flags, sync or async, and hands it the user and context', async () => {
    const grant = { allowed: true, isNamedLicence: true, isApplicationLicence: true } as const;
    const seen: unknown[] = [];
    const hook = (who: typeof user, at: LogonContext) => {
      seen.push([who, at]);
      return grant;
    };
    expect(await checkLicence(hook, user, context)).toBe(grant);
    expect(await checkLicence(async () => grant, user, context)).toBe(grant);
    expect(seen).toEqual([[user, context]]);
  });

  it('falls back to the default when a JavaScript hook returns nothing', async () => {
    expect(await checkLicence(() => undefined as never, user, context)).toEqual({ allowed: true, isConcurrentLicence: true });
  });

  it.each([
    ['no-licence', 'licence_unavailable', 10056],
    ['named-licence-unavailable', 'named_licence_unavailable', 10057],
    ['feature-missing', 'licence_feature_missing', 10100],
    ['no-interactive-application-licence', 'interactive_logon_not_allowed', 10285],
  ] as const)('turns the refusal %s into %s (%i)', async (reason, code, number) => {
    const error = await refusal({ allowed: false, reason });
    expect([error.code, error.number, error.status]).toEqual([code, number, 403]);
  });

  it('names a missing feature in the audit reason only', async () => {
    const error = await refusal({ allowed: false, reason: 'feature-missing', featureId: 'WORKFLOW-PRO' });
    expect(error.reason).toContain('feature WORKFLOW-PRO missing');
    expect(`${error.message} ${error.description ?? ''}`).not.toContain('WORKFLOW-PRO');
  });

  it('refuses an unknown reason with 10056, prototype member names included', async () => {
    for (const reason of ['expired', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect((await refusal({ allowed: false, reason: reason as never })).code).toBe('licence_unavailable');
    }
  });

  it('lets an error of the hook through', async () => {
    const outage = new Error('licence server down');
    await expect(checkLicence(() => Promise.reject(outage), user, context)).rejects.toBe(outage);
  });
});
