import { describe, expect, it } from 'vitest';
import { commandDefinitionSchema } from '../src/config/command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { LoginError } from '../src/errors/login-error.js';
import { compileHeaderTemplate } from '../src/template/header-template.js';
import { expectOptionsError } from './support/options-error.js';
import { recordSecret } from './support/secrets.js';

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

  it('lower-cases the names and lists the placeholders of the values', () => {
    const headers = compileHeaderTemplate({ Authorization: 'Bearer {authToken}', 'X-Request-Id': '{requestId}', 'Cache-Control': 'no-cache' });
    expect([...headers.names]).toEqual(['authorization', 'x-request-id', 'cache-control']);
    expect(headers.placeholders).toEqual(['authToken', 'requestId']);
    expect(Object.keys(headers.render({}))).toEqual(['authorization', 'x-request-id', 'cache-control']);
  });

  it('accepts a token-like value as it is and renders a missing one empty', () => {
    const headers = compileHeaderTemplate({ authorization: 'Bearer {authToken}', 'x-ip': '{ipAddress}' });
    const token = recordSecret('eyJhbGciOi.J-_~+/=!#$%&*^`|');
    expect(headers.render({ authToken: token })).toEqual({ authorization: `Bearer ${token}`, 'x-ip': '' });
  });

  it.each([
    ['a comma, which would add a list item', 'a,b'],
    ['a semicolon, which would add a parameter', 'a;admin=1'],
    ['a double quote', 'a"b'],
    ['a backslash', 'a\\b'],
    ['a space', 'a b'],
    ['a tab', 'a\tb'],
    ['a NUL', 'a\u0000b'],
    ['a LF alone', 'a\nb'],
    ['a non-ASCII letter', 'aéb'],
    ['a lone surrogate', 'a\ud800'],
  ])('refuses a value with %s with invalid_request', (_case, value) => {
    const headers = compileHeaderTemplate({ 'x-token': '{authToken}' });
    expect(() => headers.render({ authToken: recordSecret(value) })).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });

  it('names the header but not the value when it refuses one', () => {
    const headers = compileHeaderTemplate({ 'x-token': 'Bearer {authToken}' });
    const token = recordSecret('tok-header-refused');
    let thrown: unknown;
    try {
      headers.render({ authToken: `${token}\r\nx-admin: 1` });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LoginError);
    const error = thrown as LoginError;
    expect(error.reason).toContain('x-token');
    expect(`${error.message} ${error.reason} ${error.description}`).not.toContain(token);
  });

  it('allows in a configured value what a field value allows: spaces, commas, tabs and obs-text', () => {
    const headers = compileHeaderTemplate({ accept: 'application/json, text/plain;q=0.5', 'x-tab': 'a\tb', 'x-latin': 'caf\u00e9' });
    expect(headers.render({})).toEqual({ accept: 'application/json, text/plain;q=0.5', 'x-tab': 'a\tb', 'x-latin': 'caf\u00e9' });
  });

  it.each([
    ['an empty name', { '': 'x' }],
    ['a name with a colon', { 'x-a:': 'x' }],
    ['a name with a placeholder', { 'x-{tenant}': 'x' }],
    ['a value with CR', { 'x-a': 'a\rb' }],
    ['a value with NUL', { 'x-a': 'a\u0000b' }],
    ['a value beyond Latin-1', { 'x-a': 'a\u0100' }],
  ])('refuses %s at start-up', (_case, headers) => {
    expect(() => compileHeaderTemplate(headers)).toThrow(TypeError);
  });

  it('puts its refusal on the headers option', () => {
    const create = () =>
      validateOptions(commandDefinitionSchema, { url: 'https://partner.example/v', headers: { 'x-a': 'b\r\nc: d' } }, 'login-with-token', ['commands', 'LoginWithToken']);
    expectOptionsError(create, { code: 'LWT_INVALID_OPTION', path: 'commands.LoginWithToken.headers' });
  });
});
