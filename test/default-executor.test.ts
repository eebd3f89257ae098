import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandDefinitionSchema } from '../src/config/command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { httpOptionsSchema, type HttpOptions } from '../src/destination/http-options.js';
import { LoginError } from '../src/errors/login-error.js';
import type { Command, CommandExecutor } from '../src/executor/command-executor.js';
import { createDefaultExecutor } from '../src/executor/default-executor.js';
import type { Placeholders } from '../src/template/template-parts.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { recordSecret } from './support/secrets.js';

let partner: PartnerServer;
beforeAll(async () => {
  partner = await startPartnerServer();
});
afterAll(() => partner.close());

let executor: CommandExecutor | undefined;
beforeEach(() => {
  partner.received.length = 0;
  partner.behave((_r, res) => json(res, 200, { ContactId: 1001 }));
});
afterEach(async () => {
  await executor?.close?.();
  executor = undefined;
});

function executorFor(http: HttpOptions): CommandExecutor {
  executor = createDefaultExecutor(validateOptions(httpOptionsSchema, http, 'http'));
  return executor;
}

function run(target: CommandExecutor, definition: unknown, placeholders: Placeholders = {}): Promise<unknown> {
  const command: Command = { name: 'LoginWithToken', tenant: 'default', definition: commandDefinitionSchema.parse(definition) };
  return target.run(command, placeholders, new AbortController().signal);
}

async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  return error as LoginError;
}

/** Polls `condition` every 10 ms for up to 2 s. */
async function eventually(condition: () => boolean): Promise<boolean> {
  const end = Date.now() + 2000;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

const validate = () => ({ method: 'GET', url: `${partner.origin}/validate?token={authToken}` });

describe('createDefaultExecutor', () => {
  it('sends an HTTP command to the partner', async () => {
    const token = recordSecret('tok-default-executor-7c41e9');
    await expect(run(executorFor({ allowPrivateAddresses: ['127.0.0.1'] }), validate(), { authToken: token })).resolves.toEqual({ ContactId: 1001 });
    expect(partner.received.map((request) => request.url)).toEqual([`/validate?token=${token}`]);
  });

  it('runs a function command in process, sending nothing', async () => {
    const token = recordSecret('tok-default-executor-f00d21');
    const seen: unknown[] = [];
    const answer = await run(executorFor({ allowPrivateAddresses: ['127.0.0.1'] }), { run: (placeholders: Placeholders) => (seen.push(placeholders.authToken), { ContactId: 42 }) }, { authToken: token });
    expect(answer).toEqual({ ContactId: 42 });
    expect(seen).toEqual([token]);
    expect(partner.received).toHaveLength(0);
  });

  it('holds function commands to http.timeoutMs', async () => {
    const started = Date.now();
    const error = await failure(run(executorFor({ timeoutMs: 50 }), { run: () => new Promise(() => undefined) }));
    expect(error.code).toBe('validator_unavailable');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('sends HTTP commands through the guarded pool of the http options', async () => {
    const error = await failure(run(executorFor({}), validate(), { authToken: 'x' }));
    expect(error.code).toBe('validator_unavailable');
    expect(error.reason).toContain('LWT_DESTINATION_REFUSED');
    expect(partner.received).toHaveLength(0);
  });

  it('closes its own pool on close()', async () => {
    const own = executorFor({ allowPrivateAddresses: ['127.0.0.1'] });
    await run(own, validate(), { authToken: 'x' });
    expect(partner.openConnections()).toBe(1);
    await own.close?.();
    executor = undefined;
    expect(await eventually(() => partner.openConnections() === 0)).toBe(true);
    expect((await failure(run(own, validate(), { authToken: 'x' }))).code).toBe('validator_unavailable');
    expect(partner.received).toHaveLength(1);
  });

  it("leaves an app-supplied http.dispatcher open on close()", async () => {
    const dispatcher = new Agent();
    try {
      const shared = executorFor({ dispatcher });
      await expect(run(shared, validate(), { authToken: 'x' })).resolves.toEqual({ ContactId: 1001 });
      await shared.close?.();
      executor = undefined;
      const { statusCode, body } = await dispatcher.request({ origin: partner.origin, path: '/validate', method: 'GET' });
      await body.text();
      expect(statusCode).toBe(200);
    } finally {
      await dispatcher.close();
    }
  });
});
