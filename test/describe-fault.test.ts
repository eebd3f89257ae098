import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { describeFault } from '../src/errors/describe-fault.js';
import { recordSecret } from './support/secrets.js';

/** What `run` throws or rejects with. */
async function caught(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('describeFault', () => {
  it('gives an error’s name, and its code when the code is a string', () => {
    expect(describeFault(new RangeError('out of range'))).toBe('RangeError');
    expect(describeFault(Object.assign(new Error('refused'), { code: 'ECONNRESET' }))).toBe('Error ECONNRESET');
    expect(describeFault(Object.assign(new Error('odd'), { code: 42 }))).toBe('Error');
  });

  it('uses the name of an error subclass', () => {
    class PartnerDown extends Error {
      override name = 'PartnerDown';
    }
    expect(describeFault(new PartnerDown('down'))).toBe('PartnerDown');
  });

  it('leaves out the message, where a token could sit', async () => {
    const token = recordSecret('tok-8c1d2e');
    const parseError = await caught(() => JSON.parse(token));
    // V8 quotes the text it could not parse.
    expect((parseError as Error).message).toContain(token);
    expect(describeFault(parseError)).toBe('SyntaxError');
    expect(describeFault(Object.assign(new Error(`rejected ${token}`), { code: 'E_PARTNER' }))).toBe('Error E_PARTNER');
  });

  it('gives only the type of a thrown value that is not an Error', () => {
    const token = recordSecret('tok-thrown-as-string-9d04aa');
    expect(describeFault(token)).toBe('string');
    expect(describeFault({ name: 'Error', code: 'ECONNREFUSED', token })).toBe('object');
    expect(describeFault(undefined)).toBe('undefined');
    expect(describeFault(null)).toBe('object');
    expect(describeFault(7)).toBe('number');
  });

  it('names a real refused connection by its code, without the address or the path', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const token = recordSecret('tok-refused-connection-71b3f0');
    const error = await caught(() => request(`http://127.0.0.1:${port}/validate/${token}`));
    expect(describeFault(error)).toBe('Error ECONNREFUSED');
  });

  it('names a real deadline by its name, as the abort reason arrives', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await caught(() => request(`http://127.0.0.1:${port}/slow`, { signal: AbortSignal.timeout(20) }));
      expect(describeFault(error)).toBe('TimeoutError');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

