import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/executor/retry-after.js';

describe('parseRetryAfter', () => {
  it.each([
    ['7', 7],
    [' 42 ', 42],
    ['3600', 3600],
  ])('reads %j as that many seconds', (value, seconds) => {
    expect(parseRetryAfter(value)).toBe(seconds);
  });

  it('clamps to 1 s … 1 h, so a partner cannot tell clients to retry at once or stay away for days', () => {
    expect(parseRetryAfter('0')).toBe(1);
    expect(parseRetryAfter('3601')).toBe(3600);
    expect(parseRetryAfter('999999999')).toBe(3600);
  });

  it('reads the first of repeated headers', () => {
    expect(parseRetryAfter(['12', '99'])).toBe(12);
  });

  it.each([undefined, '', 'Wed, 21 Oct 2015 07:28:00 GMT', '-5', '+5', '1.5', '1e3', '0x10', '7s', '1234567890', '1\n2'])('ignores %j', (value) => {
    expect(parseRetryAfter(value)).toBeUndefined();
  });

  it('ignores an empty list of headers', () => {
    expect(parseRetryAfter([])).toBeUndefined();
  });
});
