import type { ServerResponse } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPortal, newToken, type TestPortal } from './support/portal-app.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';

type Fault = (res: ServerResponse) => void;

/** Every way the partner misbehaves on command, and what the client must see. */
const faults: { name: string; fault: Fault; status: number; code: string; retryAfter?: string }[] = [
  { name: 'a delay past the timeout', fault: (res) => void setTimeout(() => json(res, 200, { ContactId: 1001 }), 1500), status: 503, code: 'validator_unavailable' },
  { name: 'a connection reset', fault: (res) => res.socket?.resetAndDestroy(), status: 503, code: 'validator_unavailable' },
  { name: 'a 500', fault: (res) => json(res, 500, { error: 'boom' }), status: 503, code: 'validator_unavailable' },
  { name: 'a 502', fault: (res) => json(res, 502, {}), status: 503, code: 'validator_unavailable' },
  { name: 'a 429 with Retry-After', fault: (res) => void res.writeHead(429, { 'retry-after': '7' }).end(), status: 503, code: 'validator_unavailable', retryAfter: '7' },
  { name: 'a 503 with Retry-After', fault: (res) => void res.writeHead(503, { 'retry-after': '30' }).end(), status: 503, code: 'validator_unavailable', retryAfter: '30' },
  { name: 'invalid JSON', fault: (res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ContactId": 10'), status: 503, code: 'validator_unavailable' },
  { name: 'a wrong content type', fault: (res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'), status: 503, code: 'validator_unavailable' },
  { name: 'a body over the cap', fault: (res) => json(res, 200, { ContactId: 1001, pad: 'x'.repeat(100_000) }), status: 503, code: 'validator_unavailable' },
  {
    name: 'a body that drips slowly',
    fault: (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"ContactId":');
      const timer = setInterval(() => res.write(' '), 40);
      res.on('close', () => clearInterval(timer));
    },
    status: 503,
    code: 'validator_unavailable',
  },
  { name: 'a redirect to the metadata address', fault: (res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end(), status: 503, code: 'validator_unavailable' },
  { name: 'a rejection (control: not a fault)', fault: (res) => json(res, 401, { error: 'invalid' }), status: 401, code: 'token_invalid' },
];

describe('upstream faults', () => {
  let partner: PartnerServer;
  let portal: TestPortal;
  let fault: Fault | undefined;
  let injected = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    partner = await startPartnerServer((_r, res) => {
      if (fault === undefined) return json(res, 200, { ContactId: 1001 });
      injected++;
      fault(res);
    });
    portal = createTestPortal({
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}', timeoutMs: 400 } },
    });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await partner.close();
  });

  const handoff = (token: string) => request(portal.app).get('/authentication/login').query({ authToken: token }).set('accept', 'application/json');

  it.each(faults)('$name → $status $code, and the token stays usable after a fault', async ({ fault: chosen, status, code, retryAfter }) => {
    const token = newToken();
    fault = chosen;
    const res = await handoff(token);
    fault = undefined;
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    if (retryAfter !== undefined) expect(res.headers['retry-after']).toBe(retryAfter);
    if (status === 503) expect((await handoff(token)).status).toBe(303);
    // The faulty connection is gone; at most the healthy pooled one stays open.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(partner.openConnections()).toBeLessThanOrEqual(1);
  });

  it('leaves no socket open once closed, and no unhandled rejection', async () => {
    await portal.login.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(partner.openConnections()).toBe(0);
    expect(unhandled).toEqual([]);
    expect(injected).toBe(faults.length);
    console.info(`upstream faults injected: ${injected}`);
  });
});
