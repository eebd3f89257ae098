import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandDefinitionSchema, type HttpCommandDefinition } from '../src/config/command-schema.js';
import { createHttpExecutor } from '../src/executor/http-executor.js';
import type { Command, CommandExecutor } from '../src/executor/command-executor.js';
import { LoginError } from '../src/errors/login-error.js';
import { expectOptionsError } from './support/options-error.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';

let partner: PartnerServer;
let executor: CommandExecutor;
beforeAll(async () => {
  partner = await startPartnerServer();
});
afterAll(() => partner.close());
beforeEach(() => {
  partner.received.length = 0;
  executor = createHttpExecutor({ timeoutMs: 400, maxResponseBytes: 1024, allowPrivateAddresses: ['127.0.0.1'] });
});
afterEach(() => executor.close?.());

function command(definition: Partial<HttpCommandDefinition> = {}): Command {
  return { name: 'LoginWithToken', tenant: 'default', definition: commandDefinitionSchema.parse({ url: `${partner.origin}/validate?t={authToken}`, ...definition }) };
}
const run = (definition?: Partial<HttpCommandDefinition>, signal = new AbortController().signal) =>
  executor.run(command(definition), { authToken: 'abc', ipAddress: '10.0.0.1' }, signal);

async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  return error as LoginError;
}

describe('createHttpExecutor', () => {
  it('checks its options like the factory does', () => {
    expectOptionsError(() => createHttpExecutor({ timeoutMs: -1 }), { code: 'LWT_INVALID_OPTION', path: 'timeoutMs', message: /^createHttpExecutor: / });
    expectOptionsError(() => createHttpExecutor({ allowPrivateAddresses: ['not-a-range'] }), { code: 'LWT_INVALID_OPTION', path: 'allowPrivateAddresses' });
    expectOptionsError(() => createHttpExecutor({ connection: 4 } as never), { code: 'LWT_UNKNOWN_OPTION', path: 'connection' });
    // The factory pins the commands' hosts (http.allowedHosts); here it would pin nothing.
    expectOptionsError(() => createHttpExecutor({ allowedHosts: ['partner.example'] } as never), { code: 'LWT_UNKNOWN_OPTION', path: 'allowedHosts' });
  });

  describe('when the partner answers 2xx JSON', () => {
    it('resolves with the parsed answer', async () => {
      partner.behave((_r, res) => json(res, 200, { ContactId: 7 }));
      await expect(run()).resolves.toEqual({ ContactId: 7 });
      expect(partner.received[0]).toMatchObject({ method: 'POST', url: '/validate?t=abc' });
      expect(partner.received[0]!.headers).toMatchObject({ 'cache-control': 'no-cache', accept: 'application/json' });
    });

    it('accepts text/plain JSON and a missing content type', async () => {
      partner.behave((_r, res) => void res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('{"ContactId":1}'));
      await expect(run()).resolves.toEqual({ ContactId: 1 });
      partner.behave((_r, res) => void res.end('{"ContactId":2}'));
      await expect(run()).resolves.toEqual({ ContactId: 2 });
    });

    it('sends GET without a body', async () => {
      partner.behave((_r, res) => json(res, 200, {}));
      await run({ method: 'GET' });
      expect(partner.received[0]).toMatchObject({ method: 'GET', body: '' });
    });
  });

  describe('when the partner rejects', () => {
    it.each([400, 401, 403, 404, 410, 422])('resolves null for %i', async (status) => {
      partner.behave((_r, res) => json(res, status, { error: 'no' }));
      await expect(run()).resolves.toBeNull();
    });
  });

  describe('when no trustworthy answer comes', () => {
    it.each([
      ['500', (_r: unknown, res: import('node:http').ServerResponse) => json(res, 500, {})],
      ['502', (_r: unknown, res: import('node:http').ServerResponse) => json(res, 502, {})],
      ['405', (_r: unknown, res: import('node:http').ServerResponse) => json(res, 405, {})],
      ['a redirect', (_r: unknown, res: import('node:http').ServerResponse) => void res.writeHead(302, { location: `${partner.origin}/elsewhere` }).end()],
      ['HTML', (_r: unknown, res: import('node:http').ServerResponse) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>login</h1>')],
      ['invalid JSON', (_r: unknown, res: import('node:http').ServerResponse) => void res.writeHead(200, { 'content-type': 'application/json' }).end('nope')],
      ['an empty body', (_r: unknown, res: import('node:http').ServerResponse) => void res.writeHead(200).end()],
    ])('throws validator_unavailable for %s', async (_name, behaviour) => {
      partner.behave(behaviour);
      expect((await failure(run())).code).toBe('validator_unavailable');
      expect(partner.received.map((r) => r.url)).not.toContain('/elsewhere');
    });

    it('refuses a body over the cap, declared or streamed', async () => {
      partner.behave((_r, res) => json(res, 200, { pad: 'x'.repeat(2000) }));
      expect((await failure(run())).reason).toBe('partner answer is larger than the size cap');
      partner.behave((_r, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"pad":"');
        res.end('x'.repeat(2000) + '"}');
      });
      expect((await failure(run())).reason).toBe('partner answer is larger than the size cap');
    });

    it('gives up at the deadline, also when the body drips', async () => {
      partner.behave(() => undefined);
      const started = Date.now();
      expect((await failure(run())).code).toBe('validator_unavailable');
      expect(Date.now() - started).toBeLessThan(2000);
      partner.behave((_r, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ContactId":');
        const timer = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(timer));
      });
      expect((await failure(run())).code).toBe('validator_unavailable');
    });

    it('passes on Retry-After from 429 and 503', async () => {
      partner.behave((_r, res) => void res.writeHead(429, { 'retry-after': '7' }).end());
      expect((await failure(run())).headers).toEqual({ 'retry-after': '7' });
      partner.behave((_r, res) => void res.writeHead(503, { 'retry-after': '99999' }).end());
      expect((await failure(run())).headers).toEqual({ 'retry-after': '3600' });
    });

    it('stops when the caller aborts', async () => {
      partner.behave(() => undefined);
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      expect((await failure(run({ timeoutMs: 5000 }, controller.signal))).code).toBe('validator_unavailable');
    });

    it('reports a refused connection', async () => {
      const closed = await startPartnerServer();
      const origin = closed.origin;
      await closed.close();
      const error = await failure(executor.run(
        { name: 'x', tenant: 'default', definition: commandDefinitionSchema.parse({ url: `${origin}/v` }) },
        {},
        new AbortController().signal,
      ));
      expect(error.reason).toMatch(/ECONNREFUSED/);
    });
  });

  describe('connections', () => {
    it('reuses one kept-alive connection for sequential requests', async () => {
      partner.behave((_r, res) => json(res, 200, { ContactId: 1 }));
      const before = partner.connectionCount();
      for (let i = 0; i < 20; i++) await run();
      expect(partner.connectionCount() - before).toBeLessThanOrEqual(2);
    });
  });
});
