import { describe, expect, it } from 'vitest';
import { commandDefinitionSchema, type CompiledCommand, type CompiledHttpCommand } from '../src/config/command-schema.js';
import { PlaceholderBuilder } from '../src/request/placeholder-builder.js';
import type { RequestInfo } from '../src/request/request-info.js';
import { recordSecret } from './support/secrets.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const info = (overrides: Partial<RequestInfo> = {}): RequestInfo => ({ method: 'GET', headers: {}, query: {}, body: undefined, ip: '203.0.113.7', ...overrides });
const command = (definition: object): CompiledCommand => commandDefinitionSchema.parse(definition);

const builder = new PlaceholderBuilder({
  placeholders: {
    partnerRef: (request) => (typeof request.headers['x-partner-ref'] === 'string' ? request.headers['x-partner-ref'] : undefined),
    method: (request) => request.method,
  },
});

describe('PlaceholderBuilder', () => {
  describe('build', () => {
    it('fills the built-ins, the flow’s values and the app’s extras from the request', () => {
      const token = recordSecret('tok-builder-values');
      const request = info({ query: { InvoiceNumber: 'INV-42' }, headers: { 'x-partner-ref': 'ref-7' } });
      expect(builder.build(request, 'acme', { authToken: token })).toEqual({
        ipAddress: '203.0.113.7',
        InvoiceNumber: 'INV-42',
        tenant: 'acme',
        requestId: expect.stringMatching(uuid),
        authToken: token,
        partnerRef: 'ref-7',
        method: 'GET',
      });
    });

    it('leaves InvoiceNumber and an extra without a value undefined', () => {
      const built = builder.build(info({ query: { InvoiceNumber: ['a', 'b'] } }), 'default', {});
      expect(built['InvoiceNumber']).toBeUndefined();
      expect(built['partnerRef']).toBeUndefined();
    });

    it('draws a fresh requestId on every build', () => {
      const ids = new Set(Array.from({ length: 20 }, () => builder.build(info(), 'default', {})['requestId']));
      expect(ids.size).toBe(20);
    });

    it('draws a requestId only for a command that may use it', () => {
      const uses = command({ url: 'https://partner.example/v?r={requestId}' });
      const ignores = command({ url: 'https://partner.example/v?t={authToken}' });
      const fn = command({ run: async () => null });
      expect(builder.build(info(), 'default', {}, uses)['requestId']).toMatch(uuid);
      expect(builder.build(info(), 'default', {}, fn)['requestId']).toMatch(uuid);
      expect(builder.build(info(), 'default', {}, ignores)['requestId']).toBeUndefined();
    });

    it('computes only what an HTTP template names: no app function, query string or client address read for nothing', () => {
      const calls: string[] = [];
      const watched = new PlaceholderBuilder({ placeholders: { partnerRef: () => (calls.push('partnerRef'), 'ref') } });
      const request = {
        method: 'GET',
        headers: {},
        body: undefined,
        get query() {
          calls.push('query');
          return {};
        },
        get ip() {
          calls.push('ip');
          return '203.0.113.7';
        },
      } satisfies RequestInfo;
      const template = command({ url: 'https://partner.example/{tenant}/v', body: '{"t":"{authToken}","again":"{authToken}"}' });
      expect(watched.build(request, 'acme', { authToken: 'tok', unused: 'x' }, template)).toEqual({ tenant: 'acme', authToken: 'tok' });
      expect(calls).toEqual([]);
      watched.build(request, 'acme', {}, command({ url: 'https://partner.example/v?r={partnerRef}&ip={ipAddress}' }));
      expect(calls).toEqual(['partnerRef', 'ip']);
    });

    it('gives values that fill the command’s templates, encoded where they go', () => {
      const http = command({
        url: 'https://partner.example/{tenant}/validate?ip={ipAddress}&inv={InvoiceNumber}&ref={partnerRef}',
        body: 'token={authToken}&r={requestId}',
      }) as CompiledHttpCommand;
      const token = recordSecret('tok&admin=1');
      const built = builder.build(info({ method: 'POST', body: { InvoiceNumber: 'INV 1' }, headers: { 'x-partner-ref': 'a/b' } }), 'acme', { authToken: token }, http);
      expect(http.url.renderPath(built)).toBe('/acme/validate?ip=203.0.113.7&inv=INV%201&ref=a%2Fb');
      const fields = new URLSearchParams(http.body!.render(built));
      expect(fields.get('token')).toBe(token);
      expect(fields.get('r')).toMatch(uuid);
    });
  });

  describe('requestValues', () => {
    it('gives the request-derived values among the names, in their order', () => {
      const request = info({ query: { InvoiceNumber: 'INV-42' }, headers: { 'x-partner-ref': 'ref-7' } });
      expect(builder.requestValues(request, ['partnerRef', 'ipAddress', 'InvoiceNumber', 'method'])).toEqual(['ref-7', '203.0.113.7', 'INV-42', 'GET']);
    });

    it('skips names that do not come from the request', () => {
      expect(builder.requestValues(info(), ['tenant', 'requestId', 'bearerToken', 'authToken', 'unknown', 'ipAddress'])).toEqual(['203.0.113.7']);
    });

    it('gives an empty value for a request-derived placeholder the request lacks', () => {
      expect(builder.requestValues(info(), ['InvoiceNumber', 'partnerRef'])).toEqual(['', '']);
    });
  });
});
