import { describe, expect, it } from 'vitest';
import {
  commandDefinitionSchema,
  functionCommandFieldsSchema,
  httpCommandFieldsSchema,
  identityPathsSchema,
  type CompiledFunctionCommand,
  type CompiledHttpCommand,
} from '../src/config/command-schema.js';
import { maxCommandTimeoutMs } from '../src/config/command-deadline.js';
import { validateOptions } from '../src/config/validate-options.js';
import { expectOptionsError } from './support/options-error.js';
import { recordSecret } from './support/secrets.js';

/** Parses a command as the options do, under `commands.LoginWithToken`. */
const compile = (definition: unknown) => validateOptions(commandDefinitionSchema, definition, 'login-with-token', ['commands', 'LoginWithToken']);
const path = (field: string) => `commands.LoginWithToken${field}`;

describe('commandDefinitionSchema', () => {
  describe('with an HTTP template', () => {
    it('compiles it with the defaults: POST, no-cache header, ContactId/ContactEmail', () => {
      const command = compile({ url: 'https://partner.example/validate/{authToken}' }) as CompiledHttpCommand;
      expect(command).toMatchObject({ kind: 'http', method: 'POST', body: undefined, timeoutMs: undefined, maxResponseBytes: undefined });
      expect(command.identity).toEqual({ contactId: 'ContactId', contactEmail: 'ContactEmail' });
      expect(command.headers.render({})).toEqual({ 'cache-control': 'no-cache' });
      expect(command.url.origin).toBe('https://partner.example');
      const token = recordSecret('tok-../../admin-7f3a9c');
      expect(command.url.renderPath({ authToken: token })).toBe('/validate/tok-%2E%2E%2F%2E%2E%2Fadmin-7f3a9c');
    });

    it('collects the placeholders of URL, body and headers in that order', () => {
      const command = compile({
        url: 'https://partner.example/validate?token={authToken}',
        body: '{"ip":"{ipAddress}"}',
        headers: { 'x-request-id': '{requestId}' },
      });
      expect(command.placeholders).toEqual(['authToken', 'ipAddress', 'requestId']);
    });

    it('replaces the default headers with the ones given, and keeps the field paths given', () => {
      const command = compile({ url: 'https://partner.example/v', headers: { 'x-api-key': 'k' }, identity: { contactId: 'data.contact.id' } }) as CompiledHttpCommand;
      expect(command.headers.render({})).toEqual({ 'x-api-key': 'k' });
      expect(command.identity).toEqual({ contactId: 'data.contact.id', contactEmail: 'ContactEmail' });
    });

    it('detects the body format, unless bodyFormat says otherwise', () => {
      expect((compile({ url: 'https://partner.example/v', body: '{"token":"{authToken}"}' }) as CompiledHttpCommand).body?.format).toBe('json');
      expect((compile({ url: 'https://partner.example/v', body: 'token={authToken}' }) as CompiledHttpCommand).body?.format).toBe('form');
      expect((compile({ url: 'https://partner.example/v', body: '[kind]=sso&token={authToken}', bodyFormat: 'form' }) as CompiledHttpCommand).body?.format).toBe('form');
    });

    it('refuses a placeholder in the host, so a value can never choose where the token goes', () => {
      expectOptionsError(() => compile({ url: 'https://{tenant}.partner.example/validate' }), { code: 'LWT_INVALID_OPTION', path: path('.url') });
      expectOptionsError(() => compile({ url: 'https://partner.example:{port}/validate' }), { code: 'LWT_INVALID_OPTION', path: path('.url') });
      expectOptionsError(() => compile({ url: '{scheme}://partner.example/validate' }), { code: 'LWT_INVALID_OPTION', path: path('.url') });
    });

    it('refuses a host off the command’s own allowedHosts, however the URL disguises it', () => {
      for (const url of ['https://attacker.example/v', 'https://attacker.example\\@partner.example/v', 'https://partner.example.attacker.example/v']) {
        expectOptionsError(() => compile({ url, allowedHosts: ['partner.example'] }), { code: 'LWT_INVALID_OPTION', path: path('.url') });
      }
      expect(compile({ url: 'https://sso.partner.example/v', allowedHosts: ['*.partner.example'] }).kind).toBe('http');
    });

    it('refuses credentials in the URL', () => {
      const password = recordSecret('partner-api-password-91c2');
      const error = expectOptionsError(() => compile({ url: `https://portal:${password}@partner.example/v` }), { code: 'LWT_INVALID_OPTION', path: path('.url') });
      expect(error.message).not.toContain(password);
    });

    it('refuses a GET with a body at body', () => {
      expectOptionsError(() => compile({ method: 'GET', url: 'https://partner.example/v', body: 'token={authToken}' }), { code: 'LWT_INVALID_OPTION', path: path('.body') });
    });

    it('refuses a JSON body with a placeholder outside a string at body', () => {
      expectOptionsError(() => compile({ url: 'https://partner.example/v', body: '{"token":{authToken}}' }), { code: 'LWT_INVALID_OPTION', path: path('.body') });
    });

    it('refuses a header that could split the request at headers', () => {
      expectOptionsError(() => compile({ url: 'https://partner.example/v', headers: { 'x-a': 'v\r\nx-injected: 1' } }), { code: 'LWT_INVALID_OPTION', path: path('.headers') });
      expectOptionsError(() => compile({ url: 'https://partner.example/v', headers: { 'x a': 'v' } }), { code: 'LWT_INVALID_OPTION', path: path('.headers') });
    });

    it('requires url, and names misspelt fields', () => {
      expectOptionsError(() => compile({}), { code: 'LWT_MISSING_OPTION', path: path('.url') });
      expectOptionsError(() => compile({ url: 'https://partner.example/v', header: {} }), { code: 'LWT_UNKNOWN_OPTION', path: path('.header') });
    });

    it('bounds timeoutMs by maxCommandTimeoutMs and maxResponseBytes by 16 MiB', () => {
      expect(compile({ url: 'https://partner.example/v', timeoutMs: maxCommandTimeoutMs }).timeoutMs).toBe(maxCommandTimeoutMs);
      expectOptionsError(() => compile({ url: 'https://partner.example/v', timeoutMs: maxCommandTimeoutMs + 1 }), { code: 'LWT_INVALID_OPTION', path: path('.timeoutMs') });
      expectOptionsError(() => compile({ url: 'https://partner.example/v', maxResponseBytes: 16 * 1024 * 1024 + 1 }), { code: 'LWT_INVALID_OPTION', path: path('.maxResponseBytes') });
    });
  });

  describe('with a function', () => {
    it('compiles an object with run as a function command without placeholders', () => {
      const run = () => ({ ContactId: 1 });
      const command = compile({ run, timeoutMs: 250 }) as CompiledFunctionCommand;
      expect(command).toEqual({ kind: 'function', run, timeoutMs: 250, identity: { contactId: 'ContactId', contactEmail: 'ContactEmail' }, placeholders: [] });
    });

    it('judges an object with run as a function command, so the errors are about run', () => {
      const error = expectOptionsError(() => compile({ run: 'validate', url: 'https://partner.example/v' }), { code: 'LWT_INVALID_OPTION', path: path('.run') });
      expect(error.problems).toContainEqual(expect.objectContaining({ code: 'LWT_UNKNOWN_OPTION', path: path('.url') }));
    });
  });

  it('refuses what is not an object at the command itself', () => {
    expectOptionsError(() => compile('https://partner.example/v'), { code: 'LWT_INVALID_OPTION', path: path('') });
    expectOptionsError(() => compile(null), { code: 'LWT_INVALID_OPTION', path: path('') });
  });
});

describe('identityPathsSchema', () => {
  it('fills ContactId and ContactEmail where no path is given', () => {
    expect(identityPathsSchema.parse(undefined)).toEqual({ contactId: 'ContactId', contactEmail: 'ContactEmail' });
    expect(identityPathsSchema.parse({ contactEmail: 'user.mail' })).toEqual({ contactId: 'ContactId', contactEmail: 'user.mail' });
  });

  it.each([['an empty segment', 'data..id'], ['a leading dot', '.id'], ['white space', 'data. id'], ['nothing', '']])('refuses a path with %s', (_what, contactId) => {
    expectOptionsError(() => validateOptions(identityPathsSchema, { contactId }, 'test', ['identity']), { code: 'LWT_INVALID_OPTION', path: 'identity.contactId' });
  });

  it('refuses fields other than contactId and contactEmail', () => {
    expectOptionsError(() => validateOptions(identityPathsSchema, { userId: 'id' }, 'test', ['identity']), { code: 'LWT_UNKNOWN_OPTION', path: 'identity.userId' });
  });
});

describe('httpCommandFieldsSchema', () => {
  it('fills the defaults of every HTTP field and leaves the cross-field checks to commandDefinitionSchema', () => {
    const fields = httpCommandFieldsSchema.parse({ method: 'GET', url: 'https://partner.example/v', body: 'x=1' });
    expect(fields).toMatchObject({ method: 'GET', body: 'x=1', headers: { 'cache-control': 'no-cache' }, identity: { contactId: 'ContactId', contactEmail: 'ContactEmail' } });
    expect(fields.url.origin).toBe('https://partner.example');
  });
});

describe('functionCommandFieldsSchema', () => {
  it('accepts run with its defaults and refuses HTTP fields', () => {
    expect(functionCommandFieldsSchema.parse({ run: () => null }).identity).toEqual({ contactId: 'ContactId', contactEmail: 'ContactEmail' });
    expectOptionsError(() => validateOptions(functionCommandFieldsSchema, { run: () => null, method: 'GET' }, 'test'), { code: 'LWT_UNKNOWN_OPTION', path: 'method' });
  });
});
