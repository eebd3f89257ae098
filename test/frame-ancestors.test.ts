import { describe, expect, it } from 'vitest';
import { frameAncestorPattern, frameAncestorsPolicy } from '../src/embedding/frame-ancestors.js';

describe('frameAncestorPattern', () => {
  it.each(["'self'", 'https://partner.example', 'http://localhost:8080', 'https://*.partner.example', 'https://a-b.c.example:443'])('matches %s', (source) => {
    expect(frameAncestorPattern.test(source)).toBe(true);
  });

  it.each([
    '*',
    "'none'",
    "'unsafe-inline'",
    'https:',
    'https://*',
    '*.partner.example',
    'https://a.*.example',
    'https://partner.example/',
    'https://partner.example;script-src *',
    'https://partner.example https://evil.example',
    'https://partner.example\n',
    'https://partner.example\r\nx-injected: 1',
    'https://user@partner.example',
    'wss://partner.example',
    'https://partner.example:123456',
    // The schema lower-cases first; the pattern itself takes only the lower-case form.
    'HTTPS://PARTNER.EXAMPLE',
  ])('does not match %j', (source) => {
    expect(frameAncestorPattern.test(source)).toBe(false);
  });
});

describe('frameAncestorsPolicy', () => {
  it('lets nobody frame the page when no origin is listed', () => {
    expect(frameAncestorsPolicy([])).toBe("frame-ancestors 'none'");
  });

  it('lists the origins, separated by spaces', () => {
    expect(frameAncestorsPolicy(["'self'", 'https://partner.example', 'https://*.acme.example'])).toBe("frame-ancestors 'self' https://partner.example https://*.acme.example");
  });
});
