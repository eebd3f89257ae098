import { describe, expect, it } from 'vitest';
import { compileBodyTemplate, detectBodyFormat } from '../src/template/body-template.js';
import { compileHeaderTemplate } from '../src/template/header-template.js';
import { compileUrlTemplate, encodePathValue, encodeQueryValue } from '../src/template/url-template.js';
import { splitTemplate } from '../src/template/template-parts.js';

describe('splitTemplate', () => {
  it('splits literals and placeholders', () => {
    expect(splitTemplate('a{b}c{d_1}')).toEqual([{ literal: 'a' }, { placeholder: 'b' }, { literal: 'c' }, { placeholder: 'd_1' }]);
    expect(splitTemplate('')).toEqual([{ literal: '' }]);
    expect(splitTemplate('{ not one }')).toEqual([{ literal: '{ not one }' }]);
  });
});

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
});

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
});

describe('compileHeaderTemplate', () => {
  it('renders values and refuses CR/LF put in by a placeholder', () => {
    const headers = compileHeaderTemplate({ 'X-Token': 'Bearer {authToken}' });
    expect(headers.render({ authToken: 'abc' })).toEqual({ 'x-token': 'Bearer abc' });
    expect(() => headers.render({ authToken: 'a\r\nx: y' })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('refuses bad names and values at start-up', () => {
    expect(() => compileHeaderTemplate({ 'bad name': 'x' })).toThrow(/not a valid HTTP token/);
    expect(() => compileHeaderTemplate({ x: 'a\nb' })).toThrow(/not allowed/);
  });
});
