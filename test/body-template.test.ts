import { describe, expect, it } from 'vitest';
import { commandDefinitionSchema } from '../src/config/command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { compileBodyTemplate, detectBodyFormat } from '../src/template/body-template.js';
import { expectOptionsError } from './support/options-error.js';
import { recordSecret } from './support/secrets.js';

/** Compiles `body` as the factory does for `commands.LoginWithToken`. */
const asCommand = (body: string, bodyFormat?: 'json' | 'form') => () =>
  validateOptions(commandDefinitionSchema, { url: 'https://partner.example/v', body, bodyFormat }, 'login-with-token', ['commands', 'LoginWithToken']);

describe('compileBodyTemplate', () => {
  it('detects JSON and form bodies', () => {
    expect(detectBodyFormat(' {"a":1}')).toBe('json');
    expect(detectBodyFormat('a=1')).toBe('form');
  });

  it('serialises JSON so values stay inside their strings', () => {
    const body = compileBodyTemplate('{"t":"{authToken}","n":5,"a":["x{authToken}"]}');
    expect(JSON.parse(body.render({ authToken: '","admin":true,"' }))).toEqual({ t: '","admin":true,"', n: 5, a: ['x","admin":true,"'] });
  });

  it('refuses placeholders outside JSON strings and in property names', () => {
    expect(() => compileBodyTemplate('{"t":{authToken}}', 'json')).toThrow(/valid JSON/);
    expect(() => compileBodyTemplate('{"{authToken}":1}')).toThrow(/property names/);
  });

  it('form-encodes values so they cannot add fields', () => {
    const body = compileBodyTemplate('token={authToken}&note=a+b%21');
    expect(body.render({ authToken: 'x&admin=1' })).toBe('token=x%26admin%3D1&note=a+b%21');
    expect(() => compileBodyTemplate('{authToken}=1', 'form')).toThrow(/field names/);
  });

  describe('when the body is JSON', () => {
    const body = compileBodyTemplate('{"token":"{authToken}","meta":{"n":1.5,"ok":true,"none":null,"list":[{"ip":"{ipAddress}"}]}}');

    it('sends application/json and lists the placeholders it uses', () => {
      expect(body.format).toBe('json');
      expect(body.contentType).toBe('application/json');
      expect(body.placeholders).toEqual(['authToken', 'ipAddress']);
    });

    it('keeps numbers, booleans, null and nesting as written', () => {
      const token = recordSecret('tok-json-structure');
      expect(JSON.parse(body.render({ authToken: token, ipAddress: '10.0.0.1' }))).toEqual({
        token,
        meta: { n: 1.5, ok: true, none: null, list: [{ ip: '10.0.0.1' }] },
      });
    });

    it('keeps backslashes, control characters and closing brackets inside the string', () => {
      const token = recordSecret('tok\\"}]\u0000\n\u2028-end');
      const rendered = body.render({ authToken: token, ipAddress: '' });
      expect(Object.keys(JSON.parse(rendered) as object)).toEqual(['token', 'meta']);
      expect((JSON.parse(rendered) as { token: string }).token).toBe(token);
    });

    it('does not expand a placeholder that a value brings along', () => {
      const rendered = JSON.parse(body.render({ authToken: '{ipAddress}', ipAddress: '10.0.0.1' })) as { token: string };
      expect(rendered.token).toBe('{ipAddress}');
    });

    it('keeps a __proto__ property as data, without touching any prototype', () => {
      const proto = compileBodyTemplate('{"__proto__":{"polluted":"{authToken}"}}');
      const rendered = proto.render({ authToken: recordSecret('tok-proto-pollution') });
      expect(rendered).toBe('{"__proto__":{"polluted":"tok-proto-pollution"}}');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('accepts a top-level array', () => {
      expect(compileBodyTemplate('["{authToken}",2]').render({ authToken: 'a' })).toBe('["a",2]');
    });

    it('refuses a value with a lone surrogate with invalid_request', () => {
      expect(() => body.render({ authToken: '\ud800' })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    });
  });

  describe('when the body is form data', () => {
    it('sends application/x-www-form-urlencoded and lists the placeholders of the values', () => {
      const body = compileBodyTemplate('token={authToken}&ip=at-{ipAddress}');
      expect(body.format).toBe('form');
      expect(body.contentType).toBe('application/x-www-form-urlencoded');
      expect(body.placeholders).toEqual(['authToken', 'ipAddress']);
    });

    it('encodes every value so that no character adds a field or changes a name', () => {
      const body = compileBodyTemplate('token={authToken}&fixed=1');
      const token = recordSecret('a=b&fixed=2 %26+é;');
      const fields = [...new URLSearchParams(body.render({ authToken: token }))];
      expect(fields).toEqual([['token', token], ['fixed', '1']]);
    });

    it('keeps fields without a value and skips empty pairs', () => {
      expect(compileBodyTemplate('a&&b=&c={x}&').render({ x: '1' })).toBe('a=&b=&c=1');
    });

    it('reads + and percent-escapes in literals the way form data means them', () => {
      expect(compileBodyTemplate('grant%5Ftype=one+two%2Fthree').render({})).toBe('grant_type=one+two%2Fthree');
    });

    it('refuses a template that is not valid form data', () => {
      expect(() => compileBodyTemplate('token=%zz{authToken}')).toThrow(TypeError);
    });
  });

  it('follows an explicit format over what the text looks like', () => {
    expect(compileBodyTemplate('[x]={authToken}', 'form').render({ authToken: 'v' })).toBe('%5Bx%5D=v');
    expect(() => compileBodyTemplate('token={authToken}', 'json')).toThrow(TypeError);
  });

  it.each<[string, string, ('json' | 'form')?]>([
    ['a placeholder outside a JSON string', '{"t":{authToken}}'],
    ['a placeholder in a JSON property name', '{"{authToken}":1}'],
    ['a placeholder in a form field name', '{authToken}=1', 'form'],
    ['broken percent-encoding in form data', 'token=%E0%A4%A'],
  ])('puts its refusal of %s on the body option', (_case, template, format) => {
    expectOptionsError(asCommand(template, format), { code: 'LWT_INVALID_OPTION', path: 'commands.LoginWithToken.body' });
  });
});

describe('detectBodyFormat', () => {
  it('reads text that opens with { or [ after white space as JSON, anything else as form data', () => {
    expect(detectBodyFormat('\n\t [1]')).toBe('json');
    expect(detectBodyFormat('{')).toBe('json');
    expect(detectBodyFormat('')).toBe('form');
    expect(detectBodyFormat('token={authToken}')).toBe('form');
    expect(detectBodyFormat('x{"a":1}')).toBe('form');
  });
});
