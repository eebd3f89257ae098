import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestPortal, type TestPortal } from './support/portal-app.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { recordSecret } from './support/secrets.js';

// Hostile placeholder values, asserted on what the real partner server received.
const hostile = [
  'a&admin=1',
  'a#fragment',
  'a?x=y',
  'a/b/../../admin',
  '..',
  '../..',
  '"},"admin":true,"x":"',
  '\\"',
  '\\',
  '@evil.com',
  'x@evil.com:80/steal',
  '%2e%2e%2fadmin',
  '%0d%0aX-Injected:%201',
  "'or'1'='1",
  '{authToken}',
];

let partner: PartnerServer;
beforeAll(async () => {
  partner = await startPartnerServer((_r, res) => json(res, 200, { ContactId: 1001 }));
});
afterAll(() => partner.close());
beforeEach(() => {
  partner.received.length = 0;
});

let portal: TestPortal;
afterEach(() => portal.login.close());

function handoff(authToken: string, extra: Record<string, string> = {}) {
  return request(portal.app).get('/authentication/login').query({ authToken: recordSecret(authToken), ...extra }).set('accept', 'application/json');
}

describe('placeholders cannot change the structure of the request', () => {
  describe('in the URL path and query', () => {
    beforeEach(() => {
      portal = createTestPortal({
        commands: { LoginWithToken: { method: 'GET', url: `${partner.origin}/validate/{authToken}/check?token={authToken}&ip={ipAddress}` } },
      });
    });

    it.each(hostile.filter((value) => !/^\.{1,2}$/.test(value)))('keeps host, path segments and query fields for %j', async (value) => {
      await handoff(value).expect(303);
      const received = partner.received[0]!;
      expect(received.headers.host).toBe(new URL(partner.origin).host);
      const [path, query] = received.url.split('?') as [string, string];
      const segments = path.split('/');
      expect(segments).toHaveLength(4);
      expect(segments[1]).toBe('validate');
      expect(decodeURIComponent(segments[2]!)).toBe(value);
      expect(segments[3]).toBe('check');
      expect(segments[2]).not.toMatch(/^\.{1,2}$/);
      const fields = [...new URLSearchParams(query)];
      expect(fields.map(([name]) => name)).toEqual(['token', 'ip']);
      expect(fields[0]![1]).toBe(value);
    });

    // `..` travels as `%2E%2E`, which URL parsers still resolve as a dot segment: refused before anything is sent.
    it.each(['..', '.'])('refuses %j as a whole path segment, and the partner hears nothing', async (value) => {
      const res = await handoff(value).expect(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(partner.received).toHaveLength(0);
    });
  });

  describe('in a JSON body', () => {
    beforeEach(() => {
      portal = createTestPortal({
        commands: {
          LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}","meta":{"list":["pre-{authToken}",1,true]},"ip":"{ipAddress}"}' },
        },
      });
    });

    it.each(hostile)('keeps the JSON shape for %j', async (value) => {
      await handoff(value).expect(303);
      const body = JSON.parse(partner.received[0]!.body) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['token', 'meta', 'ip']);
      expect(body['token']).toBe(value);
      expect(body['meta']).toEqual({ list: [`pre-${value}`, 1, true] });
      expect(partner.received[0]!.headers['content-type']).toBe('application/json');
    });
  });

  describe('in a form body', () => {
    beforeEach(() => {
      portal = createTestPortal({
        commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: 'token={authToken}&kind=sso+login&ip={ipAddress}' } },
      });
    });

    it.each(hostile)('keeps the form fields for %j', async (value) => {
      await handoff(value).expect(303);
      const fields = [...new URLSearchParams(partner.received[0]!.body)];
      expect(fields.map(([name]) => name)).toEqual(['token', 'kind', 'ip']);
      expect(fields[0]![1]).toBe(value);
      expect(fields[1]![1]).toBe('sso login');
      expect(partner.received[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    });
  });

  describe('in a header', () => {
    beforeEach(() => {
      portal = createTestPortal({
        placeholders: { customerRef: (req) => (typeof req.query['ref'] === 'string' ? req.query['ref'] : undefined) },
        commands: {
          LoginWithToken: {
            method: 'GET',
            url: `${partner.origin}/validate`,
            headers: { 'x-token': '{authToken}', 'x-customer': 'ref={customerRef}' },
          },
        },
      });
    });

    const headerSafe = hostile.filter((value) => !/[",;\\]/.test(value));
    const headerStructural = hostile.filter((value) => /[",;\\]/.test(value));

    it.each(headerSafe)('keeps the header set for %j', async (value) => {
      await handoff(value).expect(303);
      const received = partner.received[0]!;
      expect(received.headers['x-token']).toBe(value);
      expect(received.headers['x-injected']).toBeUndefined();
    });

    it.each([...headerStructural, '1; role=admin; tok=forged', 'a, b'])(
      'refuses %j, which would add list items or parameters to a header, and sends nothing',
      async (value) => {
        const res = await handoff('good-token-value', { ref: value });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_request');
        expect(partner.received).toHaveLength(0);
      },
    );

    it.each(['abc\r\nX-Injected: 1', 'abc\nX-Injected: 1', 'abc\rX', 'a\u0000b', 'a b', 'caf\u00e9'])(
      'refuses %j in a header value with 400 invalid_request and sends nothing',
      async (ref) => {
        const res = await handoff('good-token-value', { ref });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_request');
        expect(partner.received).toHaveLength(0);
      },
    );

    it('refuses a placeholder value with a lone surrogate with 400, not a 503', async () => {
      const res = await request(portal.app)
        .post('/authentication/login')
        .set('accept', 'application/json')
        .send({ authToken: recordSecret('surrogate-token-1'), ref: 'x' });
      expect(res.status).toBe(303);
      const lone = await request(portal.app)
        .post('/authentication/login')
        .set('accept', 'application/json')
        .send({ authToken: recordSecret('surrogate-token-2'), InvoiceNumber: '\ud800' });
      expect(lone.status).not.toBe(503);
    });

    it('refuses CR/LF in the token itself before anything is sent', async () => {
      const res = await handoff('abc\r\nX-Injected: 1');
      expect(res.status).toBe(401);
      expect(partner.received).toHaveLength(0);
    });
  });
});
