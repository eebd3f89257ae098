import { describe, expect, it } from 'vitest';
import { describeBodyIssues } from '../src/config/describe-issues.js';
import { logonRequestSchema } from '../src/logon/logon-request.js';
import { recordSecret } from './support/secrets.js';

const token = recordSecret('lwta_W0x3Z2VuZXJhdGVkLWZvci10aGUtdGVzdA');
const valid = { tenantName: 'acme', token, tokenType: 'apitoken', clientId: 'portal-app', timeZoneOffsetMinutes: 60 };

/** The field paths a body is refused for, or [] when it is accepted. */
function refused(body: unknown): string[] {
  const result = logonRequestSchema.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('logonRequestSchema', () => {
  it('accepts the vendor’s body, and one with only token and tokenType', () => {
    expect(logonRequestSchema.parse(valid)).toEqual(valid);
    expect(logonRequestSchema.parse({ token, tokenType: 'apitoken' })).toEqual({ token, tokenType: 'apitoken' });
    expect(refused({ ...valid, tenantName: null, clientId: null, timeZoneOffsetMinutes: null })).toEqual([]);
  });

  it('requires a non-empty token and tokenType', () => {
    expect(refused({ tokenType: 'apitoken' })).toEqual(['token']);
    expect(refused({ token: '', tokenType: 'apitoken' })).toEqual(['token']);
    expect(refused({ token })).toEqual(['tokenType']);
    expect(refused({ token, tokenType: '' })).toEqual(['tokenType']);
  });

  it('bounds every string, so an oversized field is refused before any work', () => {
    expect(refused({ ...valid, token: 'a'.repeat(16_384) })).toEqual([]);
    expect(refused({ ...valid, token: 'a'.repeat(16_385) })).toEqual(['token']);
    expect(refused({ ...valid, tokenType: 'a'.repeat(257) })).toEqual(['tokenType']);
    expect(refused({ ...valid, tenantName: 'a'.repeat(257) })).toEqual(['tenantName']);
    expect(refused({ ...valid, clientId: 'a'.repeat(257) })).toEqual(['clientId']);
  });

  it('refuses a token that is not a string, such as an operator object', () => {
    for (const hostile of [{ $ne: '' }, ['a', 'b'], 1001, true, null]) expect(refused({ ...valid, token: hostile })).toEqual(['token']);
    expect(refused({ ...valid, tokenType: { $gt: '' } })).toEqual(['tokenType']);
    expect(refused({ ...valid, tenantName: ['acme'] })).toEqual(['tenantName']);
  });

  it('takes timeZoneOffsetMinutes only as whole minutes within a day either way', () => {
    expect(refused({ ...valid, timeZoneOffsetMinutes: -1440 })).toEqual([]);
    for (const offset of [1441, -1441, 1.5, '60']) expect(refused({ ...valid, timeZoneOffsetMinutes: offset })).toEqual(['timeZoneOffsetMinutes']);
  });

  it('drops fields it does not know, a JSON __proto__ included', () => {
    const body: unknown = JSON.parse(`{"token":"${token}","tokenType":"apitoken","isAdmin":true,"__proto__":{"polluted":true}}`);
    const parsed = logonRequestSchema.parse(body);
    expect(Object.keys(parsed).sort()).toEqual(['token', 'tokenType']);
    expect((parsed as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('describes a refused body by its fields, never by the values sent', () => {
    const body = { token: `${token}${'x'.repeat(16_384)}`, tokenType: '', timeZoneOffsetMinutes: 'UTC' };
    const result = logonRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    const description = describeBodyIssues(result.error!, body);
    expect(description).toMatch(/^token: .+; tokenType: .+; timeZoneOffsetMinutes: .+$/);
    expect(description).not.toContain(token);
    expect(description).not.toContain('UTC');
  });
});
