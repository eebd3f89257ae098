import { describe, expect, it } from 'vitest';
import { bearerChallenge } from '../src/bearer/bearer-challenge.js';

describe('bearerChallenge', () => {
  it('names only the realm when there is no error, as RFC 6750 asks of a request without credentials', () => {
    expect(bearerChallenge('api')).toBe('Bearer realm="api"');
  });

  it('adds the error code after the realm', () => {
    expect(bearerChallenge('api', 'invalid_token')).toBe('Bearer realm="api", error="invalid_token"');
    expect(bearerChallenge('billing portal', 'invalid_request')).toBe('Bearer realm="billing portal", error="invalid_request"');
  });
});
