import { describe, expect, it } from 'vitest';
import { commandDefinitionSchema } from '../src/config/command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { compileUrlTemplate, encodePathValue, encodeQueryValue } from '../src/template/url-template.js';
import { expectOptionsError } from './support/options-error.js';
import { recordSecret } from './support/secrets.js';

/** Compiles `url` as the factory does for `commands.LoginWithToken`. */
const asCommand = (url: string) => () => validateOptions(commandDefinitionSchema, { url }, 'login-with-token', ['commands', 'LoginWithToken']);

describe('compileUrlTemplate', () => {
  it('fixes the origin and encodes values for path and query', () => {
    const url = compileUrlTemplate('https://partner.example:8443/v/{authToken}?ip={ipAddress}&x=1');
    expect(url.origin).toBe('https://partner.example:8443');
    expect(url.renderPath({ authToken: '../a b', ipAddress: '1.2.3.4' })).toBe('/v/%2E%2E%2Fa%20b?ip=1.2.3.4&x=1');
    expect(url.placeholders).toEqual(['authToken', 'ipAddress']);
  });

  it('adds a root path when the template has none', () => {
    expect(compileUrlTemplate('http://h').renderPath({})).toBe('/');
    expect(compileUrlTemplate('http://h?t={authToken}').renderPath({ authToken: 'a' })).toBe('/?t=a');
  });

  it.each([
    ['ftp://h/x', 'must be an absolute http(s) URL'],
    ['/relative', 'must be an absolute http(s) URL'],
    ['https://{tenant}.partner.example/x', 'placeholders are not allowed in the scheme, host or port'],
    ['https://partner.example:{port}/x', 'placeholders are not allowed in the scheme, host or port'],
    ['https://u:p@partner.example/x', 'must not carry credentials; use headers'],
    ['https://h/x#{authToken}', 'must not contain a fragment'],
    ['https://h/a b', 'must be written with URL-encoded characters only'],
  ])('refuses %s', (template, message) => {
    expect(() => compileUrlTemplate(template)).toThrow(message);
  });

  it('encodes dots in paths but not in queries', () => {
    expect(encodePathValue('..')).toBe('%2E%2E');
    expect(encodeQueryValue('a.b&c=d#e')).toBe('a.b%26c%3Dd%23e');
  });

  it('keeps the partner origin whatever a value in the first path segment holds', () => {
    const url = compileUrlTemplate('https://partner.example/{authToken}');
    for (const value of ['@evil.example', '/evil.example', '//evil.example/x', 'http://evil.example', '\\\\evil.example', ':80@evil.example']) {
      const rendered = url.renderPath({ authToken: recordSecret(`${value}-token-value`) });
      expect(new URL(rendered, 'https://partner.example').origin).toBe('https://partner.example');
      expect(new URL(`${url.origin}${rendered}`).host).toBe('partner.example');
    }
  });

  it('keeps the query fields of the template whatever a value holds', () => {
    const url = compileUrlTemplate('https://partner.example/v?token={authToken}&fixed=1');
    const token = recordSecret('tok&admin=true&fixed=2#frag');
    const query = url.renderPath({ authToken: token }).split('?')[1];
    expect([...new URLSearchParams(query)]).toEqual([['token', token], ['fixed', '1']]);
  });

  it('renders a missing value as empty', () => {
    expect(compileUrlTemplate('https://partner.example/v/{authToken}?ip={ipAddress}').renderPath({})).toBe('/v/?ip=');
  });

  it('percent-encodes non-ASCII values as UTF-8 and refuses a lone surrogate with invalid_request', () => {
    const url = compileUrlTemplate('https://partner.example/{InvoiceNumber}?n={InvoiceNumber}');
    expect(url.renderPath({ InvoiceNumber: 'é' })).toBe('/%C3%A9?n=%C3%A9');
    expect(() => url.renderPath({ InvoiceNumber: 'a\udc00' })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('keeps percent-encoded literals of the template as written', () => {
    expect(compileUrlTemplate('https://partner.example/a%2Fb/{x}?q=%20&r={x}').renderPath({ x: '1' })).toBe('/a%2Fb/1?q=%20&r=1');
  });

  it('gives the origin in its normal form', () => {
    expect(compileUrlTemplate('HTTPS://Partner.Example:443/v').origin).toBe('https://partner.example');
    expect(compileUrlTemplate('http://partner.example:8080').origin).toBe('http://partner.example:8080');
  });

  it('lists placeholders of path and query in order, repeats included', () => {
    expect(compileUrlTemplate('https://h/{tenant}/{authToken}?t={authToken}&r={requestId}').placeholders).toEqual(['tenant', 'authToken', 'authToken', 'requestId']);
  });

  it.each([
    'https://{tenant}.partner.example/x',
    'https://partner.example:99999/x',
    'https://partner.example@evil.example/x',
    'https://h/x#frag',
    'https://h/ä',
    'javascript:alert(1)',
  ])('puts its refusal of %s on the url option', (template) => {
    expectOptionsError(asCommand(template), { code: 'LWT_INVALID_OPTION', path: 'commands.LoginWithToken.url' });
  });
});

describe('encodeQueryValue', () => {
  it('leaves only letters, digits and - . _ ~ unencoded', () => {
    expect(encodeQueryValue("AZaz09-._~!'()*")).toBe("AZaz09-._~%21%27%28%29%2A");
    expect(encodeQueryValue('&=+?#/ %')).toBe('%26%3D%2B%3F%23%2F%20%25');
  });

  it('round-trips through decodeURIComponent', () => {
    const value = recordSecret("tok%20\u00e9\u{1F511}&=+'()*!");
    expect(decodeURIComponent(encodeQueryValue(value))).toBe(value);
  });
});

describe('encodePathValue', () => {
  it('encodes every dot and slash, so a value stays one path segment', () => {
    for (const value of ['.', '..', '...', '../..', 'a/../b']) {
      const encoded = encodePathValue(value);
      expect(encoded).not.toMatch(/[./]/);
      expect(decodeURIComponent(encoded)).toBe(value);
    }
  });

  it('encodes what encodeQueryValue does', () => {
    expect(encodePathValue("a-_~!'()*?#&")).toBe(encodeQueryValue("a-_~!'()*?#&"));
  });
});

describe('dot segments', () => {
  const template = compileUrlTemplate('https://partner.example/validate/{authToken}/check');

  it('refuses a value that would make a whole segment of dots, which URL parsers resolve even encoded', () => {
    for (const value of ['..', '.', '%2e%2e']) {
      const render = () => template.renderPath({ authToken: value });
      if (value.startsWith('%')) {
        // Encoded once more, `%252e` is no dot segment.
        expect(new URL(`https://partner.example${render()}`).pathname).toBe(render());
        continue;
      }
      expect(render).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
  });

  it('keeps dots that are part of a longer segment', () => {
    const path = template.renderPath({ authToken: 'a..b' });
    expect(new URL(`https://partner.example${path}`).pathname).toBe(path);
    expect(compileUrlTemplate('https://partner.example/v/x{authToken}').renderPath({ authToken: '..' })).toBe('/v/x%2E%2E');
  });

  it('refuses a template with a dot segment of its own', () => {
    for (const url of ['https://partner.example/a/../validate', 'https://partner.example/./validate', 'https://partner.example/a/%2E%2E/v']) {
      expect(() => compileUrlTemplate(url), url).toThrow(TypeError);
    }
  });
});
