import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PartnerCall } from '../src/testing.js';

const raw = {
  path: '/login-with-token?t=sekret-token-1',
  headers: { authorization: 'Bearer api-key-0123456789', 'proxy-authorization': 'Basic eDp5', 'x-copy': 'api-key-0123456789', 'x-list': ['a', 'sekret-token-1'] as unknown as string },
  body: '{"token":"sekret-token-1","ipAddress":"127.0.0.1"}',
};
const call = new PartnerCall('LoginWithToken', 'POST', raw, ['sekret-token-1', 'api-key-0123456789']);

describe('PartnerCall', () => {
  it('redacts its fields, and keeps the call as it came in raw()', () => {
    expect({ ...call }).toEqual({
      endpoint: 'LoginWithToken',
      method: 'POST',
      path: '/login-with-token?t=[redacted]',
      headers: { authorization: '[redacted]', 'proxy-authorization': '[redacted]', 'x-copy': '[redacted]', 'x-list': ['a', '[redacted]'] },
      body: '{"token":"[redacted]","ipAddress":"127.0.0.1"}',
    });
    expect(call.raw()).toBe(raw);
  });

  it('prints without a secret, however it is printed: node:assert diffs included', () => {
    let assertion = '';
    try {
      assert.deepStrictEqual([call], []);
    } catch (error) {
      assertion = (error as Error).message;
    }
    expect(assertion).toContain('/login-with-token');
    for (const printed of [String(call), inspect(call), inspect(call, { customInspect: false, showHidden: true }), JSON.stringify(call), assertion]) {
      expect(printed).not.toMatch(/sekret|api-key/);
      expect(printed).toContain('127.0.0.1');
    }
  });

  it('redacts token and client_secret fields it was never told about, in JSON and in forms', () => {
    const json = new PartnerCall('ValidateBearer', 'POST', { path: '/validate-bearer', headers: {}, body: '{"token":"lwts_\\"quoted","other":"x"}' }, []);
    expect(json.body).toBe('{"token":"[redacted]","other":"x"}');
    const form = new PartnerCall('introspection', 'POST', { path: '/introspect', headers: {}, body: 'token=a%2Fb+c&client_id=portal&client_secret=s%C3%A9cret' }, []);
    expect(form.body).toBe('token=[redacted]&client_id=portal&client_secret=[redacted]');
  });

  it('redacts the longer of two secrets that share a start first', () => {
    const nested = new PartnerCall('LoginWithToken', 'POST', { path: '/', headers: {}, body: 'abcdef-EXTENDED-TAIL' }, ['abcdef', 'abcdef-EXTENDED-TAIL']);
    expect(nested.body).toBe('[redacted]');
  });
});
