import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import type { LoginError } from '../src/errors/login-error.js';
import { fetchJsonDocument, maxProviderDocumentBytes } from '../src/oauth/fetch-json-document.js';
import { partnerPool } from './support/partner-pool.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { rejection as failure } from './support/login-failure.js';

const keySet = { keys: [{ kty: 'oct', kid: 'one', k: 'AAAA' }] };
/** Text the server puts in bodies no error may repeat. */
const marker = 'document-body-marker-7f3a';

/** Answers `status` with `headers` and `body` as given. */
function send(res: ServerResponse, status: number, headers: Record<string, string | number>, body?: string): void {
  res.writeHead(status, headers).end(body);
}

let server: PartnerServer;
let partner: PartnerDispatcher | undefined;

beforeAll(async () => {
  server = await startPartnerServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.received.length = 0;
  server.behave((_received, res) => json(res, 200, keySet));
});
afterEach(async () => {
  await partner?.close();
  partner = undefined;
});

/** Fetches `path` of the server through a partner pool that allows loopback (or the given pool). */
function fetchPath(path: string, timeoutMs = 2000, pool: PartnerDispatcher = partnerPool({ allowPrivateAddresses: ['127.0.0.0/8'] })) {
  partner = pool;
  return fetchJsonDocument(new URL(`${server.origin}${path}`), 'JWKS', { dispatcher: pool.dispatcher, timeoutMs });
}

/** Everything of an error that could reach a log: message, reason, headers. */
const visible = (error: LoginError) => [error.message, error.reason, JSON.stringify(error.headers)].join('\n');

describe('fetchJsonDocument', () => {
  it('GETs the path and query, asking for JSON, and gives the parsed document', async () => {
    expect(await fetchPath('/keys?tenant=acme')).toEqual(keySet);
    expect(server.received).toHaveLength(1);
    const [received] = server.received;
    expect(received).toMatchObject({ method: 'GET', url: '/keys?tenant=acme', body: '' });
    expect(received!.headers.accept).toBe('application/json');
  });

  it('gives whatever JSON value the document is: the caller checks its shape', async () => {
    server.behave((_received, res) => json(res, 200, ['not', 'an', 'object']));
    expect(await fetchPath('/keys')).toEqual(['not', 'an', 'object']);
  });

  describe('failures are validator_unavailable, naming what failed but never the document', () => {
    it.each([404, 500, 503, 204])('status %i', async (status) => {
      server.behave((_received, res) => (status === 204 ? send(res, 204, {}) : json(res, status, { keys: [], note: marker })));
      const error = await failure(fetchPath('/keys'));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe(`JWKS answered ${status}`);
      expect(visible(error)).not.toContain(marker);
    });

    it('a 200 answer that is not JSON', async () => {
      server.behave((_received, res) => send(res, 200, { 'content-type': 'application/json' }, `<html>${marker}</html>`));
      const error = await failure(fetchPath('/keys'));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('JWKS is not JSON');
      expect(visible(error)).not.toContain(marker);
    });

    it('a redirect, which is not followed', async () => {
      server.behave((received, res) => (received.url === '/moved' ? json(res, 200, keySet) : send(res, 302, { location: '/moved' })));
      const error = await failure(fetchPath('/keys'));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('JWKS answered 302');
      expect(server.received.map((received) => received.url)).toEqual(['/keys']);
    });
  });

  describe('maxProviderDocumentBytes', () => {
    /** A JSON string literal of exactly `bytes` bytes. */
    const documentOf = (bytes: number) => `"${'a'.repeat(bytes - 2)}"`;

    it('is 1 MiB', () => {
      expect(maxProviderDocumentBytes).toBe(1024 * 1024);
    });

    it.each([
      ['with a content-length', true],
      ['chunked', false],
    ])('accepts a document of exactly the cap (%s)', async (_how, withLength) => {
      const text = documentOf(maxProviderDocumentBytes);
      server.behave((_received, res) => send(res, 200, withLength ? { 'content-length': text.length } : {}, text));
      expect(((await fetchPath('/keys')) as string).length).toBe(maxProviderDocumentBytes - 2);
    });

    it.each([
      ['with a content-length', true],
      ['chunked', false],
    ])('refuses a document one byte larger (%s)', async (_how, withLength) => {
      const text = documentOf(maxProviderDocumentBytes + 1);
      server.behave((_received, res) => send(res, 200, withLength ? { 'content-length': text.length } : {}, text));
      const error = await failure(fetchPath('/keys'));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe(`JWKS is larger than ${maxProviderDocumentBytes} bytes`);
    });

    it('stops reading an endless body once past the cap', { timeout: 10_000 }, async () => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      server.behave((_received, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        // Writes until the client hangs up.
        const pump = () => {
          while (!res.destroyed && sent < 64 * maxProviderDocumentBytes) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
        };
        res.on('close', () => res.destroy());
        pump();
      });
      const error = await failure(fetchPath('/keys'));
      expect(error.reason).toBe(`JWKS is larger than ${maxProviderDocumentBytes} bytes`);
      // The client hung up long before the server would have stopped on its own.
      expect(sent).toBeLessThan(64 * maxProviderDocumentBytes);
    });
  });

  describe('the deadline', () => {
    it('ends a fetch the server never answers', { timeout: 5000 }, async () => {
      server.behave(() => undefined);
      const error = await failure(fetchPath('/keys', 200));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toMatch(/^JWKS fetch failed: /);
      expect(error.cause).toBeDefined();
      expect(server.received).toHaveLength(1);
    });

    it('ends a fetch whose body stalls after the headers', { timeout: 5000 }, async () => {
      server.behave((_received, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[');
      });
      const error = await failure(fetchPath('/keys', 200));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toMatch(/^JWKS fetch failed: /);
    });

    it('is one deadline for the whole fetch: a body trickling in faster than any idle timeout is cut off too', { timeout: 5000 }, async () => {
      server.behave((_received, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const trickle = setInterval(() => res.write(' '), 20);
        res.on('close', () => clearInterval(trickle));
      });
      const error = await failure(fetchPath('/keys', 300));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toMatch(/^JWKS fetch failed: /);
    });
  });

  describe('the destination policy of the pool', () => {
    it('holds: a loopback address is refused unless allowed, and nothing reaches it', async () => {
      const error = await failure(fetchPath('/keys', 2000, partnerPool()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('JWKS fetch failed: DestinationRefusedError LWT_DESTINATION_REFUSED');
      expect(server.received).toHaveLength(0);
    });

    it('names a refused connection by its code, not its message', async () => {
      const closed = await startPartnerServer();
      const origin = closed.origin;
      await closed.close();
      partner = partnerPool({ allowPrivateAddresses: ['127.0.0.0/8'] });
      const error = await failure(fetchJsonDocument(new URL(`${origin}/keys`), 'JWKS', { dispatcher: partner.dispatcher, timeoutMs: 2000 }));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('JWKS fetch failed: Error ECONNREFUSED');
      expect(error.reason).not.toContain('127.0.0.1');
    });
  });
});
