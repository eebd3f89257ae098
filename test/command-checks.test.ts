import { describe, expect, it } from 'vitest';
import { builtInPlaceholders } from '../src/config/built-in-placeholders.js';
import { commandProblems } from '../src/config/command-checks.js';
import { commandDefinitionSchema, type CommandDefinition } from '../src/config/command-schema.js';

const known = new Set<string>([...builtInPlaceholders, 'customerId']);
const compile = (definition: CommandDefinition) => commandDefinitionSchema.parse(definition);

describe('commandProblems', () => {
  it('finds nothing wrong with a command that uses known placeholders on an allowed host', () => {
    const command = compile({ url: 'https://sso.partner.example/validate/{authToken}', body: '{"customer":"{customerId}"}', headers: { 'x-request-id': '{requestId}' } });
    expect(commandProblems('LoginWithToken', command, known, ['*.partner.example'])).toEqual([]);
  });

  it('reports each unknown placeholder of the URL, body and headers, so a typo cannot send an empty value', () => {
    const command = compile({
      url: 'https://partner.example/validate?token={authTokn}',
      body: 'ip={ipAdress}',
      headers: { 'x-tenant': '{tennant}' },
    });
    expect(commandProblems('LoginWithToken', command, known, undefined)).toEqual([
      { path: [], message: 'unknown placeholder {authTokn}' },
      { path: [], message: 'unknown placeholder {ipAdress}' },
      { path: [], message: 'unknown placeholder {tennant}' },
    ]);
  });

  it('reports an HTTP command whose host is off http.allowedHosts at its url', () => {
    const command = compile({ url: 'https://attacker.example/collect?token={authToken}' });
    expect(commandProblems('LoginWithToken', command, known, ['partner.example', '*.partner.example'])).toEqual([
      { path: ['url'], message: 'host is not on http.allowedHosts (partner.example, *.partner.example)' },
    ]);
  });

  it("holds an introspection command to http.allowedHosts even when it lists hosts of its own: its list narrows, never widens", () => {
    const clientAuth = { clientId: 'portal', clientSecret: 'not-a-secret-here' };
    const widened = compile({ kind: 'introspection', url: 'https://evil.example/introspect', clientAuth, allowedHosts: ['evil.example'] });
    expect(commandProblems('ValidateBearer', widened, known, ['good.example'])).toEqual([{ path: ['url'], message: 'host is not on http.allowedHosts (good.example)' }]);
    const discovered = compile({ kind: 'introspection', issuer: 'https://evil.example/realm', clientAuth, allowedHosts: ['evil.example'] });
    expect(commandProblems('ValidateBearer', discovered, known, ['good.example'])).toEqual([{ path: ['issuer'], message: 'host is not on http.allowedHosts (good.example)' }]);
    const narrowed = compile({ kind: 'introspection', url: 'https://idp.good.example/introspect', clientAuth, allowedHosts: ['idp.good.example'] });
    expect(commandProblems('ValidateBearer', narrowed, known, ['*.good.example'])).toEqual([]);
  });

  it('refuses a look-alike host off the list', () => {
    const command = compile({ url: 'https://partner.example.attacker.example/validate' });
    expect(commandProblems('LoginWithToken', command, known, ['partner.example'])).toHaveLength(1);
  });

  it('lets an HTTP command call any host when http.allowedHosts is not set', () => {
    expect(commandProblems('LoginWithToken', compile({ url: 'https://anywhere.example/validate' }), known, undefined)).toEqual([]);
  });

  it('holds an empty http.allowedHosts as "no host at all"', () => {
    expect(commandProblems('LoginWithToken', compile({ url: 'https://partner.example/validate' }), known, [])).toHaveLength(1);
  });

  it('does not hold function commands to the host list', () => {
    expect(commandProblems('LoginWithToken', compile({ run: () => null }), known, ['partner.example'])).toEqual([]);
  });
});
